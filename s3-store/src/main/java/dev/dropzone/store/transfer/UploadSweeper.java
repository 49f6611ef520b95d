package dev.dropzone.store.transfer;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Errors;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Aborts multipart uploads under the store's prefix that a crashed or killed gateway left behind
 * (S3 keeps and bills their parts until someone aborts them). The age threshold keeps it away from
 * uploads other replicas are still writing.
 */
public final class UploadSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(UploadSweeper.class);

  private final S3Client s3;
  private final S3Settings settings;
  private final Clock clock;

  public UploadSweeper(S3Client s3, S3Settings settings) {
    this(s3, settings, Clock.systemUTC());
  }

  UploadSweeper(S3Client s3, S3Settings settings, Clock clock) {
    this.s3 = s3;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * @return how many uploads were aborted
   */
  public int abortOlderThan(Duration age) throws IOException {
    if (age.isNegative()) {
      throw new IllegalArgumentException("negative age " + age);
    }
    Instant now = clock.instant();
    Instant cutoff = now.minus(age);
    String prefix = settings.key("");
    ListMultipartUploadsRequest.Builder request =
        ListMultipartUploadsRequest.builder().bucket(settings.bucket());
    // Some servers treat an empty prefix parameter differently from none at all.
    if (!prefix.isEmpty()) {
      request.prefix(prefix);
    }
    int aborted = 0;
    while (true) {
      ListMultipartUploadsResponse page;
      try {
        page = s3.listMultipartUploads(request.build());
      } catch (SdkException e) {
        throw S3Errors.map(e, "list unfinished uploads in bucket " + settings.bucket());
      }
      for (MultipartUpload upload : page.uploads()) {
        if (upload.initiated() == null) {
          LOG.warn(
              "Left the unfinished upload of {} alone: storage did not say when it started;"
                  + " remove it with an AbortIncompleteMultipartUpload lifecycle rule",
              upload.key());
        } else if (!upload.initiated().isAfter(cutoff)) {
          abort(upload, Duration.between(upload.initiated(), now));
          aborted++;
        }
      }
      if (!Boolean.TRUE.equals(page.isTruncated())) {
        return aborted;
      }
      request.keyMarker(page.nextKeyMarker()).uploadIdMarker(page.nextUploadIdMarker());
    }
  }

  private void abort(MultipartUpload upload, Duration age) throws IOException {
    try {
      s3.abortMultipartUpload(
          AbortMultipartUploadRequest.builder()
              .bucket(settings.bucket())
              .key(upload.key())
              .uploadId(upload.uploadId())
              .build());
    } catch (SdkException e) {
      throw S3Errors.map(e, "abort the stale upload of " + upload.key());
    }
    LOG.info(
        "Aborted stale multipart upload of {} started {} ago (upload id {})",
        upload.key(),
        age,
        upload.uploadId());
  }
}
