package dev.dropzone.store.transfer;

import dev.dropzone.kek.format.ObjectHeader;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.ObjectPrefix;
import dev.dropzone.store.s3.S3Errors;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Sealed plaintext digests of objects uploaded in parts, whose metadata was fixed before the last
 * byte arrived: kept at {@code <prefix>/.dropzone/digests/<base64url(salt)>}, named by the salt of
 * the object's body header. The content is the sealed digest in Base64; it is bound to that body by
 * the key it is sealed with, so a record moved to another name opens for nothing. A rename's copy
 * shares the body, so it carries the digest itself instead ({@link ObjectTransfers#moved}) and the
 * record stays for whatever else may still share it (a move that failed part way, on a gateway
 * before this one); records of replaced or deleted objects are removed best-effort and, when left
 * behind, harmless.
 */
final class DigestRecords {

  private static final Logger LOG = LoggerFactory.getLogger(DigestRecords.class);

  /** A record holds 80 Base64 characters; anything much larger is not one. */
  private static final int MAX_BYTES = 1024;

  private final S3Client s3;
  private final String bucket;
  private final String directory;

  DigestRecords(S3Client s3, S3Settings settings) {
    this.s3 = s3;
    this.bucket = settings.bucket();
    this.directory = settings.key(VirtualPath.RESERVED + "/digests/");
  }

  /** Where the digest of the body with {@code header} is kept. */
  String keyOf(byte[] header) {
    return directory
        + Base64.getUrlEncoder().withoutPadding().encodeToString(ObjectHeader.salt(header));
  }

  /** Stores {@code sealed}; a failure is logged, not thrown: the object is complete without it. */
  void put(String objectKey, byte[] header, byte[] sealed) {
    String key = keyOf(header);
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(key).contentType("text/plain"),
          RequestBody.fromString(Base64.getEncoder().encodeToString(sealed)));
    } catch (SdkException e) {
      LOG.warn(
          "Stored {} but not its digest record {} ({}): the file is complete, only its digest"
              + " is unknown",
          objectKey,
          key,
          e.toString());
    }
  }

  /** The sealed digest of the body with {@code header}, if its record exists. */
  Optional<byte[]> get(byte[] header) throws StoreException {
    String key = keyOf(header);
    byte[] body;
    try {
      // Whoever can write to the bucket could put gigabytes here, and renames read it.
      body =
          ObjectPrefix.read(
                  s3,
                  GetObjectRequest.builder()
                      .bucket(bucket)
                      .key(key)
                      .range("bytes=0-" + MAX_BYTES)
                      .build(),
                  MAX_BYTES)
              .bytes();
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      if (e.statusCode() == 416) {
        // An empty object has no first byte to range over: not a record.
        return Optional.of(new byte[0]);
      }
      throw S3Errors.map(e, "read the digest record " + key);
    } catch (SdkException e) {
      throw S3Errors.map(e, "read the digest record " + key);
    }
    if (body.length > MAX_BYTES) {
      return Optional.of(new byte[0]);
    }
    try {
      return Optional.of(
          Base64.getDecoder().decode(new String(body, StandardCharsets.US_ASCII).trim()));
    } catch (IllegalArgumentException e) {
      // Opening it fails, which reports it as damaged.
      return Optional.of(new byte[0]);
    }
  }

  /** Removes the record of the body with {@code header}, if any; failures are only logged. */
  void delete(byte[] header) {
    String key = keyOf(header);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      LOG.debug("Could not remove digest record {}: {}", key, e.toString());
    }
  }
}
