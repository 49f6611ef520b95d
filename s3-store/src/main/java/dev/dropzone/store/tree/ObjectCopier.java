package dev.dropzone.store.tree;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.StoredVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectResult;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Server-side copy of one object: the body is copied by S3, never downloaded, and the metadata is
 * what a {@link Rewrite} makes of the source's (a rename re-tags a v2 object for its new path), so
 * a copy needs the key service only when the key is not cached. Objects above the single-request
 * limit are copied part by part with UploadPartCopy.
 *
 * <p>Every copy is conditional on the source's ETag as read before the copy: CopyObject and every
 * UploadPartCopy carry {@code x-amz-copy-source-if-match}, so an object overwritten meanwhile is
 * never copied with metadata made for its previous version. Before a multipart copy completes the
 * source is checked again; a copy onto itself also sends {@code If-Match} with the completion,
 * which servers that support conditional writes enforce atomically. What remains is the moment
 * between that last check and the completion of a multipart copy to another key (documented).
 */
public final class ObjectCopier {

  private static final Logger LOG = LoggerFactory.getLogger(ObjectCopier.class);

  /** S3 allows at most this many parts per multipart upload. */
  private static final int MAX_PARTS = 10_000;

  /**
   * When to switch to a multipart copy, and its part size.
   *
   * @param multipartAbove objects larger than this many bytes are copied in parts
   * @param partSize bytes per UploadPartCopy (grown if the object would need over 10,000 parts)
   */
  public record Limits(long multipartAbove, long partSize) {

    /** CopyObject accepts objects up to 5 GiB; 512 MiB parts keep a 5 TiB copy at 10,240 parts */
    public static final Limits S3 = new Limits(5L << 30, 512L << 20);

    public Limits {
      if (partSize < 5L << 20) {
        throw new IllegalArgumentException("copy part size must be at least 5 MiB (S3's minimum)");
      }
      if (multipartAbove < partSize) {
        throw new IllegalArgumentException("multipart threshold must not be below the part size");
      }
    }
  }

  /** The metadata an object gets when it is copied from {@code source} to {@code target}. */
  @FunctionalInterface
  public interface Rewrite {
    /**
     * @return {@code metadata} itself to copy it unchanged, or the metadata to write instead
     */
    Map<String, String> apply(String source, String target, Map<String, String> metadata)
        throws StoreException;
  }

  /** Copies metadata unchanged. */
  public static final Rewrite UNCHANGED = (source, target, metadata) -> metadata;

  private final S3Client s3;
  private final String bucket;
  private final Limits limits;
  private final Rewrite rewrite;

  public ObjectCopier(S3Client s3, String bucket, Limits limits) {
    this(s3, bucket, limits, UNCHANGED);
  }

  public ObjectCopier(S3Client s3, String bucket, Limits limits, Rewrite rewrite) {
    this.s3 = s3;
    this.bucket = bucket;
    this.limits = limits;
    this.rewrite = Objects.requireNonNull(rewrite, "rewrite");
  }

  /**
   * Copies {@code source} to {@code target}, replacing any object there, with the metadata the
   * {@link Rewrite} makes of the source's.
   *
   * @param size the size as listed; the copy uses the size the source has when it is read
   * @param what the operation in the client's words, for error messages
   * @return the ETag of the source version that was copied (see {@link #deleteIfUnchanged})
   */
  String copy(String source, String target, long size, String what) throws StoreException {
    HeadObjectResponse head;
    try {
      head = s3.headObject(b -> b.bucket(bucket).key(source));
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
    Map<String, String> metadata = rewrite.apply(source, target, head.metadata());
    Replacement replacement =
        new Replacement(
            metadata == head.metadata() ? null : metadata, head.contentType(), head.eTag());
    LOG.debug("Copying {} to {} ({} bytes)", source, target, head.contentLength());
    copy(source, target, head.contentLength(), replacement, what);
    return head.eTag();
  }

  /**
   * Deletes the source of a move, unless it is no longer the version that was copied: an upload
   * that replaced it while it was being copied (a producer writing {@code in/a.csv} again while a
   * consumer moves it to {@code done/}) was confirmed to its client and must stay. Every upload
   * encrypts under a fresh salt, so a new version never has the old one's ETag.
   *
   * @param eTag what {@link #copy} returned
   * @return whether the source is gone; false when it was replaced and kept
   * @throws SdkException when the check or the delete failed; the source may still be there
   */
  boolean deleteIfUnchanged(String source, String eTag) {
    for (int attempt = 1; ; attempt++) {
      Optional<String> now = currentETag(source);
      if (now.isEmpty()) {
        return true;
      }
      if (!now.get().equals(eTag)) {
        return false;
      }
      try {
        // S3 checks the ETag once more at the delete itself, closing the window after the HEAD.
        s3.deleteObject(b -> b.bucket(bucket).key(source).ifMatch(eTag));
        return true;
      } catch (S3Exception e) {
        switch (e.statusCode()) {
          case 404:
            return true;
          case 412:
            return false;
          case 409:
            // A write to the source was under way: look again, once.
            if (attempt == 1) {
              continue;
            }
            throw e;
          case 400, 501:
            // A server that refuses the condition gets the delete without it, after the check.
            LOG.debug("Storage refused a conditional delete ({}); deleting after the check", e);
            s3.deleteObject(b -> b.bucket(bucket).key(source));
            return true;
          default:
            throw e;
        }
      }
    }
  }

  private Optional<String> currentETag(String key) {
    try {
      return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)).eTag());
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * New metadata for an object copied onto itself (a metadata-only rewrite), and the ETag the
   * object must still have, so a concurrent overwrite is never clobbered.
   *
   * @param metadata the metadata to write; null to copy the source's unchanged
   */
  public record Replacement(Map<String, String> metadata, String contentType, String ifMatch) {}

  /**
   * Rewrites the metadata of {@code key} (of {@code size} bytes) by copying it onto itself; the
   * body is copied by S3, never uploaded.
   *
   * @return the version stored, when the storage named it
   * @throws StoreException as mapped by {@link S3Errors}; its cause is the S3 412 error when the
   *     object changed since {@code replacement.ifMatch()} was read
   */
  public Optional<StoredVersion> replaceMetadata(
      String key, long size, Replacement replacement, String what) throws StoreException {
    return copy(key, key, size, replacement, what);
  }

  /** Whether {@code e} says the source changed after its ETag was read (HTTP 412). */
  public static boolean sourceChanged(StoreException e) {
    return e.getCause() instanceof S3Exception s3e && s3e.statusCode() == 412;
  }

  private Optional<StoredVersion> copy(
      String source, String target, long size, Replacement replacement, String what)
      throws StoreException {
    try {
      if (size > limits.multipartAbove()) {
        return copyInParts(source, target, size, replacement, what);
      }
      long started = System.nanoTime();
      CopyObjectResponse response =
          s3.copyObject(
              b -> {
                b.sourceBucket(bucket)
                    .sourceKey(source)
                    .destinationBucket(bucket)
                    .destinationKey(target)
                    .copySourceIfMatch(replacement.ifMatch());
                if (replacement.metadata() == null) {
                  b.metadataDirective(MetadataDirective.COPY);
                } else {
                  b.metadataDirective(MetadataDirective.REPLACE)
                      .metadata(replacement.metadata())
                      .contentType(replacement.contentType());
                }
              });
      CopyObjectResult result = response.copyObjectResult();
      return result == null || result.lastModified() == null || result.eTag() == null
          ? StoredVersion.of(
              result == null ? null : result.eTag(), response, StoredVersion.since(started))
          : Optional.of(new StoredVersion(result.eTag(), result.lastModified()));
    } catch (SdkException e) {
      throw mapped(e, source, what);
    }
  }

  private Optional<StoredVersion> copyInParts(
      String source, String target, long size, Replacement replacement, String what)
      throws StoreException {
    // CreateMultipartUpload does not copy metadata: the source's comes from the HEAD before.
    Map<String, String> metadata =
        replacement.metadata() != null
            ? replacement.metadata()
            : s3.headObject(b -> b.bucket(bucket).key(source).ifMatch(replacement.ifMatch()))
                .metadata();
    long partSize = Math.max(limits.partSize(), (size + MAX_PARTS - 1) / MAX_PARTS);
    String uploadId =
        s3.createMultipartUpload(
                b ->
                    b.bucket(bucket)
                        .key(target)
                        .metadata(metadata)
                        .contentType(replacement.contentType()))
            .uploadId();
    LOG.debug(
        "Copying {} to {} in parts of {} bytes ({} bytes, upload {})",
        source,
        target,
        partSize,
        size,
        uploadId);
    try {
      List<CompletedPart> parts = new ArrayList<>();
      for (long start = 0; start < size; start += partSize) {
        int number = parts.size() + 1;
        String range = "bytes=" + start + "-" + (Math.min(start + partSize, size) - 1);
        String etag =
            s3.uploadPartCopy(
                    b ->
                        b.sourceBucket(bucket)
                            .sourceKey(source)
                            .destinationBucket(bucket)
                            .destinationKey(target)
                            .uploadId(uploadId)
                            .partNumber(number)
                            .copySourceRange(range)
                            .copySourceIfMatch(replacement.ifMatch()))
                .copyPartResult()
                .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      }
      long started = System.nanoTime();
      CompleteMultipartUploadResponse done =
          complete(source, target, uploadId, parts, replacement.ifMatch());
      try {
        S3Errors.requireCompleted(done, what);
      } catch (StoreException unconfirmed) {
        abort(target, uploadId);
        throw unconfirmed;
      }
      return StoredVersion.of(done.eTag(), done, StoredVersion.since(started));
    } catch (SdkException e) {
      abort(target, uploadId);
      throw mapped(e, source, what);
    }
  }

  /**
   * Completes a multipart copy only while the source is the version its parts were copied from.
   * Onto itself, the completion's own If-Match makes that atomic where the server supports it; a
   * server that rejects the condition (501, 400) gets the completion without it, after the check.
   */
  private CompleteMultipartUploadResponse complete(
      String source, String target, String uploadId, List<CompletedPart> parts, String eTag) {
    String now = s3.headObject(b -> b.bucket(bucket).key(source)).eTag();
    if (!eTag.equals(now)) {
      throw S3Exception.builder()
          .statusCode(412)
          .message(source + " changed while it was copied (ETag " + eTag + " is now " + now + ")")
          .build();
    }
    if (source.equals(target)) {
      try {
        return s3.completeMultipartUpload(
            b ->
                b.bucket(bucket)
                    .key(target)
                    .uploadId(uploadId)
                    .ifMatch(eTag)
                    .multipartUpload(m -> m.parts(parts)));
      } catch (S3Exception e) {
        if (e.statusCode() != 501 && e.statusCode() != 400) {
          throw e;
        }
        LOG.debug("Storage refused a conditional completion ({}); completing after the check", e);
      }
    }
    return s3.completeMultipartUpload(
        b -> b.bucket(bucket).key(target).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
  }

  private static StoreException mapped(SdkException e, String source, String what) {
    if (e instanceof S3Exception s3e && s3e.statusCode() == 412) {
      return new StoreException(
          Reason.CHANGED,
          "Could not " + what + ": " + source + " changed while it was copied; try again",
          e);
    }
    return S3Errors.map(e, what);
  }

  private void abort(String target, String uploadId) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(target).uploadId(uploadId));
    } catch (SdkException e) {
      LOG.warn(
          "Could not abort copy upload {} to {}; the startup sweeper or the bucket's"
              + " AbortIncompleteMultipartUpload rule will remove it: {}",
          uploadId,
          target,
          e.toString());
    }
  }
}
