package dev.dropzone.store.transfer;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.StoredVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * The multipart upload behind one {@link EncryptedUpload}: started with the first part (its
 * metadata asked for then, when the body's header has been written), at most {@code partsInFlight}
 * parts on the wire at once (the caller waits for a slot beyond that), the first part failure kept
 * until someone asks, completion in part order, abort that leaves nothing. {@link #ship} and {@link
 * #complete} come from the writer's thread; {@link #abort} from any.
 */
final class PartUploads {

  private static final Logger LOG = LoggerFactory.getLogger(PartUploads.class);

  /** How long abort waits for parts already on the wire before giving up on them. */
  private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(2);

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final Supplier<Map<String, String>> metadata;
  private final int partsInFlight;
  private final ExecutorService executor;
  private final Semaphore slots;
  private final OpenUploads openUploads;

  /** Whether this upload is counted in {@link #openUploads}: from its start to its end. */
  private final AtomicBoolean counted = new AtomicBoolean();

  private final List<Future<CompletedPart>> parts = new ArrayList<>();
  private volatile String uploadId;
  private volatile boolean aborted;
  private volatile StoreException failure;

  PartUploads(
      S3Client s3,
      String bucket,
      String key,
      Supplier<Map<String, String>> metadata,
      int partsInFlight,
      ExecutorService executor,
      OpenUploads openUploads) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.metadata = metadata;
    this.partsInFlight = partsInFlight;
    this.executor = executor;
    this.slots = new Semaphore(partsInFlight);
    this.openUploads = openUploads;
  }

  /** Parts handed over so far. */
  int count() {
    return parts.size();
  }

  /** Throws the first part failure, or ABORTED once aborted. */
  void checkHealthy() throws StoreException {
    if (aborted) {
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " was aborted");
    }
    StoreException first = failure;
    if (first != null) {
      throw new StoreException(first.reason(), first.getMessage(), first);
    }
  }

  /**
   * Uploads {@code buffer} as the next part in the background, once a slot is free; starts the
   * multipart upload with the first part. The buffer is released once sent; if this throws, it was
   * not taken and the caller still owns it.
   */
  void ship(PartBuffer buffer) throws StoreException {
    acquireSlot();
    int partNumber = parts.size() + 1;
    try {
      if (uploadId == null) {
        uploadId = create();
      }
      String id = uploadId;
      RequestBody body = buffer.body();
      parts.add(executor.submit(() -> uploadPart(id, partNumber, buffer, body)));
    } catch (StoreException e) {
      slots.release();
      throw e;
    } catch (RejectedExecutionException e) {
      slots.release();
      throw new StoreException(Reason.ABORTED, "The store is shutting down", e);
    }
  }

  /** Waits until every part handed over so far is stored. */
  void awaitAll() throws StoreException {
    for (Future<CompletedPart> part : parts) {
      await(part);
    }
    checkHealthy();
  }

  /** Waits for every part, then makes the object visible; the version stored, if S3 said. */
  Optional<StoredVersion> complete() throws StoreException {
    List<CompletedPart> done = new ArrayList<>(parts.size());
    for (Future<CompletedPart> part : parts) {
      done.add(await(part));
    }
    checkHealthy();
    CompleteMultipartUploadResponse response;
    long started = System.nanoTime();
    try {
      response =
          s3.completeMultipartUpload(
              CompleteMultipartUploadRequest.builder()
                  .bucket(bucket)
                  .key(key)
                  .uploadId(uploadId)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(done).build())
                  .build());
    } catch (SdkException e) {
      throw failure(e, "complete the upload of " + key);
    }
    // Still counted: the caller's abort removes the upload the server may not have completed.
    S3Errors.requireCompleted(response, "complete the upload of " + key);
    uncount();
    return StoredVersion.of(response.eTag(), response, StoredVersion.since(started));
  }

  /** Stops further parts, waits for those on the wire, aborts the multipart upload. */
  void abort() {
    aborted = true;
    try {
      // Parts not yet started see the flag and skip; parts on the wire are waited for, so the
      // abort below cannot race a late part into an orphaned upload.
      if (!slots.tryAcquire(partsInFlight, DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "Parts of {} still uploading after {}s; aborting anyway (the upload sweeper removes"
                + " any leftovers)",
            key,
            DRAIN_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String id = uploadId;
    if (id == null || !counted.get()) {
      return;
    }
    try {
      s3.abortMultipartUpload(
          AbortMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(id).build());
      LOG.debug("Aborted multipart upload of {}", key);
    } catch (SdkException e) {
      LOG.warn(
          "Could not abort multipart upload {} of {} ({}); the upload sweeper or the bucket's"
              + " AbortIncompleteMultipartUpload rule removes it",
          id,
          key,
          e.getMessage());
    } finally {
      uncount();
    }
  }

  private void uncount() {
    if (counted.compareAndSet(true, false)) {
      openUploads.ended();
    }
  }

  private CompletedPart await(Future<CompletedPart> part) throws StoreException {
    try {
      return part.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreException partFailure) {
        throw partFailure;
      }
      throw new StoreException(
          Reason.STORAGE_UNAVAILABLE,
          "Upload of " + key + " failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (CancellationException e) {
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " was aborted", e);
    }
  }

  private CompletedPart uploadPart(String id, int partNumber, PartBuffer buffer, RequestBody body)
      throws StoreException {
    try {
      if (aborted) {
        throw new StoreException(Reason.ABORTED, "Upload of " + key + " was aborted");
      }
      String eTag =
          s3.uploadPart(
                  UploadPartRequest.builder()
                      .bucket(bucket)
                      .key(key)
                      .uploadId(id)
                      .partNumber(partNumber)
                      .contentLength(buffer.size())
                      .build(),
                  body)
              .eTag();
      return CompletedPart.builder().partNumber(partNumber).eTag(eTag).build();
    } catch (SdkException e) {
      StoreException partFailure = failure(e, "upload part " + partNumber + " of " + key);
      if (failure == null) {
        failure = partFailure;
        // The upload's own failure, logged where it ends, says what to do; this names the part.
        LOG.info("Part {} of {} failed: {}", partNumber, key, e.getMessage());
      }
      throw partFailure;
    } finally {
      buffer.release();
      slots.release();
    }
  }

  private String create() throws StoreException {
    try {
      String id =
          s3.createMultipartUpload(
                  CreateMultipartUploadRequest.builder()
                      .bucket(bucket)
                      .key(key)
                      .metadata(metadata.get())
                      .contentType(EncryptedUpload.CONTENT_TYPE)
                      .build())
              .uploadId();
      counted.set(true);
      openUploads.started();
      return id;
    } catch (SdkException e) {
      throw S3Errors.map(e, "start uploading " + key);
    }
  }

  private void acquireSlot() throws StoreException {
    try {
      // Polls so that an abort from another thread also frees a writer waiting for a slot.
      while (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
        checkHealthy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " interrupted", e);
    }
    try {
      checkHealthy();
    } catch (StoreException e) {
      slots.release();
      throw e;
    }
  }

  /**
   * Maps an S3 failure of a part or of the completion. A 404 there means the multipart upload is
   * gone (aborted by a sweeper or a lifecycle rule), not that the file is missing.
   */
  private StoreException failure(SdkException e, String what) {
    StoreException mapped = S3Errors.map(e, what);
    if (mapped.reason() != Reason.NOT_FOUND) {
      return mapped;
    }
    LOG.warn(
        "Storage no longer knows the multipart upload of {} ({}): something aborted it early;"
            + " check that the upload sweeper's age and the bucket's"
            + " AbortIncompleteMultipartUpload rule exceed the longest transfer",
        key,
        e.getMessage());
    return new StoreException(
        Reason.ABORTED, "Storage discarded the unfinished upload, send the file again", e);
  }
}
