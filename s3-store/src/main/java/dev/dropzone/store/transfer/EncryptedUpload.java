package dev.dropzone.store.transfer;

import dev.dropzone.kek.UserKey;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.format.ObjectFormat;
import dev.dropzone.store.s3.S3Errors;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * One object being written: plaintext → Tink encrypting stream → part buffers → S3.
 *
 * <p>The multipart upload is created only when the first part is full, so small files cost a single
 * PutObject at commit. At most {@code partsInFlight} parts upload at once while one more fills; the
 * writer blocks beyond that, which bounds memory per upload whatever the file size. A part that
 * fails is reported by the next write or by commit. Writes come from one thread; {@link #abort()}
 * may come from any.
 */
final class EncryptedUpload implements Upload {

  private static final Logger LOG = LoggerFactory.getLogger(EncryptedUpload.class);

  /** How long abort waits for parts already on the wire before giving up on them. */
  private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(2);

  private enum State {
    OPEN,
    COMMITTED,
    ABORTED
  }

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final UserKey userKey;
  private final int initialPartSize;
  private final int partsInFlight;
  private final ExecutorService executor;
  private final ChunkPool pool;
  private final Semaphore permits;
  private final OutputStream encrypting;
  private final PlaintextStream plaintext = new PlaintextStream();
  private final List<Future<CompletedPart>> parts = new ArrayList<>();

  private volatile State state = State.OPEN;
  private volatile StoreException partFailure;
  private PartBuffer current;
  private volatile String uploadId;
  private long bytesWritten;

  EncryptedUpload(
      S3Client s3,
      S3Settings settings,
      String key,
      UserKey userKey,
      ExecutorService executor,
      ChunkPool pool)
      throws StoreException {
    this.s3 = s3;
    this.bucket = settings.bucket();
    this.key = key;
    this.userKey = userKey;
    this.initialPartSize = settings.partSize();
    this.partsInFlight = settings.partsInFlight();
    this.executor = executor;
    this.pool = pool;
    this.permits = new Semaphore(partsInFlight);
    this.current = new PartBuffer(pool);
    try {
      this.encrypting = userKey.aead().newEncryptingStream(new CiphertextSink(), ObjectFormat.AAD);
    } catch (GeneralSecurityException | IOException e) {
      current.release();
      LOG.error("Cannot start encrypting {}: the user key of {} is unusable", key, userKey.user());
      throw new StoreException(
          Reason.KEY_REJECTED, "The key for this upload cannot encrypt: " + e.getMessage(), e);
    }
  }

  @Override
  public OutputStream stream() {
    return plaintext;
  }

  @Override
  public long bytesWritten() {
    return bytesWritten;
  }

  @Override
  public void commit() throws IOException {
    if (state == State.COMMITTED) {
      return;
    }
    try {
      checkWritable();
      encrypting.close();
      checkWritable();
      if (uploadId == null) {
        putWhole();
      } else {
        ship(current);
        current = null;
        complete();
      }
      state = State.COMMITTED;
      LOG.debug("Committed {} ({} plaintext bytes)", key, bytesWritten);
    } catch (IOException | RuntimeException e) {
      abort();
      if (e instanceof StoreException storeFailure) {
        throw storeFailure;
      }
      throw new StoreException(
          Reason.STORAGE_UNAVAILABLE, "Upload of " + key + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void abort() {
    synchronized (this) {
      if (state != State.OPEN) {
        return;
      }
      state = State.ABORTED;
    }
    try {
      // Parts not yet started see ABORTED and skip; parts on the wire are waited for, so the abort
      // below cannot race a late part into an orphaned upload.
      if (!permits.tryAcquire(partsInFlight, DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "Parts of {} still uploading after {}s; aborting anyway (the upload sweeper removes"
                + " any leftovers)",
            key,
            DRAIN_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (uploadId != null) {
      try {
        s3.abortMultipartUpload(
            AbortMultipartUploadRequest.builder()
                .bucket(bucket)
                .key(key)
                .uploadId(uploadId)
                .build());
        LOG.debug("Aborted multipart upload of {}", key);
      } catch (SdkException e) {
        LOG.warn(
            "Could not abort multipart upload {} of {} ({}); the upload sweeper or the bucket's"
                + " AbortIncompleteMultipartUpload rule removes it",
            uploadId,
            key,
            e.getMessage());
      }
    }
    // The buffer being filled is left to the GC, not the pool: a writer on another thread may
    // still be copying into it.
    current = null;
  }

  private void putWhole() throws StoreException {
    PartBuffer whole = current;
    current = null;
    try {
      s3.putObject(
          PutObjectRequest.builder()
              .bucket(bucket)
              .key(key)
              .metadata(metadata())
              .contentType("application/octet-stream")
              .build(),
          whole.body());
    } catch (SdkException e) {
      throw S3Errors.map(e, "store " + key);
    } finally {
      whole.release();
    }
  }

  private void complete() throws StoreException {
    List<CompletedPart> done = new ArrayList<>(parts.size());
    for (Future<CompletedPart> part : parts) {
      try {
        done.add(part.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException(Reason.ABORTED, "Upload interrupted", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof StoreException failure) {
          throw failure;
        }
        throw new StoreException(
            Reason.STORAGE_UNAVAILABLE,
            "Upload of " + key + " failed: " + e.getCause().getMessage(),
            e.getCause());
      } catch (CancellationException e) {
        throw new StoreException(Reason.ABORTED, "Upload of " + key + " was aborted", e);
      }
    }
    checkWritable();
    try {
      s3.completeMultipartUpload(
          CompleteMultipartUploadRequest.builder()
              .bucket(bucket)
              .key(key)
              .uploadId(uploadId)
              .multipartUpload(CompletedMultipartUpload.builder().parts(done).build())
              .build());
    } catch (SdkException e) {
      throw uploadFailure(e, "complete the upload of " + key);
    }
  }

  /** Hands a full buffer to the part uploaders, waiting for a free slot first. */
  private void ship(PartBuffer buffer) throws StoreException {
    acquirePermit();
    int partNumber = parts.size() + 1;
    try {
      if (uploadId == null) {
        uploadId = createMultipartUpload();
      }
    } catch (StoreException e) {
      permits.release();
      throw e;
    }
    RequestBody body = buffer.body();
    String id = uploadId;
    try {
      parts.add(executor.submit(() -> uploadPart(id, partNumber, buffer, body)));
    } catch (RejectedExecutionException e) {
      permits.release();
      throw new StoreException(Reason.ABORTED, "The store is shutting down", e);
    }
  }

  private CompletedPart uploadPart(String id, int partNumber, PartBuffer buffer, RequestBody body)
      throws StoreException {
    try {
      if (state == State.ABORTED) {
        throw new StoreException(Reason.ABORTED, "Upload aborted");
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
      StoreException failure = uploadFailure(e, "upload part " + partNumber + " of " + key);
      if (partFailure == null) {
        partFailure = failure;
        LOG.warn("Part {} of {} failed: {}", partNumber, key, e.getMessage());
      }
      throw failure;
    } finally {
      buffer.release();
      permits.release();
    }
  }

  /**
   * Maps an S3 failure of a part or of the completion. A 404 there means the multipart upload is
   * gone (aborted by a sweeper or a lifecycle rule), not that the file is missing.
   */
  private StoreException uploadFailure(SdkException e, String what) {
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

  private String createMultipartUpload() throws StoreException {
    try {
      return s3.createMultipartUpload(
              CreateMultipartUploadRequest.builder()
                  .bucket(bucket)
                  .key(key)
                  .metadata(metadata())
                  .contentType("application/octet-stream")
                  .build())
          .uploadId();
    } catch (SdkException e) {
      throw S3Errors.map(e, "start uploading " + key);
    }
  }

  private void acquirePermit() throws StoreException {
    try {
      // Polls so that an abort from another thread also frees a writer waiting for a slot.
      while (!permits.tryAcquire(1, TimeUnit.SECONDS)) {
        checkWritable();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Reason.ABORTED, "Upload interrupted", e);
    }
    try {
      checkWritable();
    } catch (StoreException e) {
      permits.release();
      throw e;
    }
  }

  private void checkWritable() throws StoreException {
    if (state == State.ABORTED) {
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " was aborted");
    }
    if (state == State.COMMITTED) {
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " is already committed");
    }
    StoreException failure = partFailure;
    if (failure != null) {
      throw new StoreException(failure.reason(), failure.getMessage(), failure);
    }
  }

  private Map<String, String> metadata() {
    return Map.of(
        ObjectFormat.META_FORMAT, ObjectFormat.VERSION,
        ObjectFormat.META_ALGORITHM, ObjectFormat.ALGORITHM,
        ObjectFormat.META_KEY, userKey.wrapped().text(),
        ObjectFormat.META_KEY_REF, userKey.wrapped().ref(),
        ObjectFormat.META_USER, userKey.user());
  }

  /** Receives Tink's ciphertext and cuts it into parts. */
  private final class CiphertextSink extends OutputStream {

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        long target = PartSizes.sizeOf(parts.size() + 1, initialPartSize);
        // A full buffer ships only once more data arrives, so the last part is never empty and a
        // file of exactly one part still goes as a single PutObject.
        if (current.size() == target) {
          if (parts.size() + 1 >= PartSizes.MAX_PARTS) {
            throw new StoreException(
                Reason.QUOTA,
                "File too large: S3 allows at most " + PartSizes.MAX_PARTS + " parts");
          }
          ship(current);
          current = new PartBuffer(pool);
          target = PartSizes.sizeOf(parts.size() + 1, initialPartSize);
        }
        int n = (int) Math.min(len, target - current.size());
        current.write(b, off, n);
        off += n;
        len -= n;
      }
    }
  }

  /** What the caller writes to; closing it does not commit (see {@link Upload}). */
  private final class PlaintextStream extends OutputStream {

    private boolean closed;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("stream of " + key + " is closed");
      }
      try {
        checkWritable();
        encrypting.write(b, off, len);
      } catch (IOException | RuntimeException e) {
        // The encrypting stream is unusable after a failure: nothing more can be committed.
        abort();
        throw e;
      }
      bytesWritten += len;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
