package dev.dropzone.store.tree;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.s3.S3Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * Server-side copy of one object, bytes and metadata unchanged: the {@code dz-*} metadata (wrapped
 * key included) travels with the ciphertext, so a copy never needs the key service. Objects above
 * the single-request limit are copied part by part with UploadPartCopy.
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

  private final S3Client s3;
  private final String bucket;
  private final Limits limits;

  public ObjectCopier(S3Client s3, String bucket, Limits limits) {
    this.s3 = s3;
    this.bucket = bucket;
    this.limits = limits;
  }

  /**
   * Copies {@code source} (of {@code size} bytes, as listed) to {@code target}, replacing any
   * object there.
   *
   * @param what the operation in the client's words, for error messages
   */
  void copy(String source, String target, long size, String what) throws StoreException {
    try {
      if (size > limits.multipartAbove()) {
        copyInParts(source, target, what);
      } else {
        LOG.debug("Copying {} to {} ({} bytes)", source, target, size);
        s3.copyObject(
            b ->
                b.sourceBucket(bucket)
                    .sourceKey(source)
                    .destinationBucket(bucket)
                    .destinationKey(target)
                    .metadataDirective(MetadataDirective.COPY));
      }
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
  }

  /**
   * New metadata for an object copied onto itself (a metadata-only rewrite), and the ETag the
   * object must still have, so a concurrent overwrite is never clobbered.
   */
  public record Replacement(Map<String, String> metadata, String contentType, String ifMatch) {}

  /**
   * Rewrites the metadata of {@code key} (of {@code size} bytes) by copying it onto itself; the
   * body is copied by S3, never uploaded.
   *
   * @throws StoreException as mapped by {@link S3Errors}; its cause is the S3 412 error when the
   *     object changed since {@code replacement.ifMatch()} was read
   */
  public void replaceMetadata(String key, long size, Replacement replacement, String what)
      throws StoreException {
    try {
      if (size > limits.multipartAbove()) {
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
        copyInParts(key, key, head.contentLength(), replacement, what);
      } else {
        s3.copyObject(
            b ->
                b.sourceBucket(bucket)
                    .sourceKey(key)
                    .destinationBucket(bucket)
                    .destinationKey(key)
                    .copySourceIfMatch(replacement.ifMatch())
                    .metadataDirective(MetadataDirective.REPLACE)
                    .metadata(replacement.metadata())
                    .contentType(replacement.contentType()));
      }
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
  }

  private void copyInParts(String source, String target, String what) throws StoreException {
    // CreateMultipartUpload does not copy metadata: take it (and the exact size) from the source.
    HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(source));
    copyInParts(
        source,
        target,
        head.contentLength(),
        new Replacement(head.metadata(), head.contentType(), head.eTag()),
        what);
  }

  private void copyInParts(
      String source, String target, long size, Replacement replacement, String what)
      throws StoreException {
    long partSize = Math.max(limits.partSize(), (size + MAX_PARTS - 1) / MAX_PARTS);
    String uploadId =
        s3.createMultipartUpload(
                b ->
                    b.bucket(bucket)
                        .key(target)
                        .metadata(replacement.metadata())
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
      s3.completeMultipartUpload(
          b ->
              b.bucket(bucket).key(target).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    } catch (SdkException e) {
      abort(target, uploadId);
      throw S3Errors.map(e, what);
    }
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
