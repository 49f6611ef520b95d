package dev.dropzone.store;

import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.S3KeyRecords;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The read-only requests a gateway's first session makes, made once before the gateway takes
 * clients. A just-started JVM loads and compiles the S3 client's request pipeline, its connection
 * pool and each operation's marshalling on first use: measured on a restarted gateway, the first
 * session's key-record read and listing took about half a second longer than the next session's,
 * with the same requests. Paying that at start keeps it off the first client after a deploy or a
 * scale-out.
 *
 * <p>Everything here reads the store's reserved area, which FTP never shows: one listing of the key
 * records in the listing's request shape, one key record read and parsed as a login reads it, and
 * one HEAD of a name that is never written, which answers 404 as an existence check of a new file
 * does.
 */
final class StoreWarmUp {

  private static final String NEVER_WRITTEN = "/warm-up";

  private final S3Client s3;
  private final S3Settings settings;
  private final S3KeyRecords keyRecords;

  StoreWarmUp(S3Client s3, S3Settings settings, S3KeyRecords keyRecords) {
    this.s3 = s3;
    this.settings = settings;
    this.keyRecords = keyRecords;
  }

  /**
   * @param within how long the requests may take, retries included
   * @return what stopped the warm-up (S3 unreachable, credentials refused), or empty when every
   *     request was answered
   */
  Optional<String> run(Duration within) {
    try (StorageDeadline.Scope scope = StorageDeadline.restart(within)) {
      String records = settings.key(VirtualPath.RESERVED + "/keys/");
      ListObjectsV2Response page =
          s3.listObjectsV2(
              b -> b.bucket(settings.bucket()).prefix(records).delimiter("/").maxKeys(1));
      for (S3Object record : page.contents()) {
        readRecord(record.key().substring(records.length()));
      }
      headMissing(settings.key(VirtualPath.RESERVED + NEVER_WRITTEN));
      return Optional.empty();
    } catch (SdkException e) {
      return Optional.of(S3Errors.map(e, "warm up the S3 client").getMessage());
    }
  }

  private void readRecord(String name) {
    if (!name.endsWith(".json")) {
      return;
    }
    try {
      keyRecords.readVersioned(name.substring(0, name.length() - ".json".length()));
    } catch (IOException e) {
      // A damaged or oddly named record is the business of the login that reads it; the request
      // was made, which is all the warm-up needs.
    }
  }

  private void headMissing(String key) {
    try {
      s3.headObject(b -> b.bucket(settings.bucket()).key(key));
    } catch (NoSuchKeyException e) {
      // Expected: the name is never written.
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw e;
      }
    }
  }
}
