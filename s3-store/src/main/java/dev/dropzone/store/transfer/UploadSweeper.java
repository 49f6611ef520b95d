package dev.dropzone.store.transfer;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.s3.S3Errors;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Aborts multipart uploads that a crashed or killed gateway left behind (S3 keeps and bills their
 * parts until someone aborts them), under the key prefixes Dropzone owns only. The age threshold
 * keeps it away from uploads other replicas are still writing.
 *
 * <p>An upload's age is the larger of two measures: its start time as the server reports it,
 * against the server's own clock (the listing's {@code Date}, so clock skew between gateway and S3
 * does not count), and the time since this sweeper first saw the upload id. Some servers report
 * every pending upload as started at the moment of the listing; on those only the second measure
 * grows, so a stale upload is swept one stale age after the first sweep that saw it. Both measures
 * only ever underestimate, so no upload is taken for older than it is.
 *
 * <p>One sweep at a time (see {@link UploadHousekeeping}); not thread-safe.
 */
public final class UploadSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(UploadSweeper.class);

  /** What one sweep did. */
  public record Sweep(int pending, int aborted, int failedAborts) {}

  private final S3Client s3;
  private final String bucket;
  private final Clock clock;

  /** Upload id → when a sweep first saw it; only ids the last complete sweep saw are kept. */
  private Map<String, Instant> firstSeen = new HashMap<>();

  public UploadSweeper(S3Client s3, String bucket) {
    this(s3, bucket, Clock.systemUTC());
  }

  UploadSweeper(S3Client s3, String bucket, Clock clock) {
    this.s3 = s3;
    this.bucket = bucket;
    this.clock = clock;
  }

  /**
   * Aborts the uploads under {@code prefixes} (each ending in '/') older than {@code age}.
   *
   * @throws StoreException when a listing fails; uploads already aborted stay aborted
   */
  public Sweep sweep(Collection<String> prefixes, Duration age) throws StoreException {
    if (age.isNegative() || age.isZero()) {
      throw new IllegalArgumentException("stale age must be longer than 0, not " + age);
    }
    Map<String, Instant> seen = new HashMap<>();
    int pending = 0;
    int aborted = 0;
    int failed = 0;
    for (String prefix : prefixes) {
      ListMultipartUploadsRequest.Builder request =
          ListMultipartUploadsRequest.builder().bucket(bucket).prefix(prefix);
      while (true) {
        ListMultipartUploadsResponse page = list(request.build(), prefix);
        Instant now = clock.instant();
        Instant serverNow = serverTime(page).orElse(now);
        for (MultipartUpload upload : page.uploads()) {
          pending++;
          Instant first = firstSeen.getOrDefault(upload.uploadId(), now);
          Duration sinceSeen = Duration.between(first, now);
          Duration reported =
              upload.initiated() == null
                  ? Duration.ZERO
                  : Duration.between(upload.initiated(), serverNow);
          Duration uploadAge = reported.compareTo(sinceSeen) > 0 ? reported : sinceSeen;
          if (uploadAge.compareTo(age) < 0) {
            seen.put(upload.uploadId(), first);
          } else if (abort(upload, uploadAge)) {
            aborted++;
          } else {
            seen.put(upload.uploadId(), first);
            failed++;
          }
        }
        if (!Boolean.TRUE.equals(page.isTruncated())) {
          break;
        }
        request.keyMarker(page.nextKeyMarker()).uploadIdMarker(page.nextUploadIdMarker());
      }
    }
    firstSeen = seen;
    return new Sweep(pending, aborted, failed);
  }

  private ListMultipartUploadsResponse list(ListMultipartUploadsRequest request, String prefix)
      throws StoreException {
    try {
      return s3.listMultipartUploads(request);
    } catch (SdkException e) {
      throw S3Errors.map(e, "list unfinished uploads under " + bucket + "/" + prefix);
    }
  }

  /** True when aborted (or already gone); a failure is logged and left to the next sweep. */
  private boolean abort(MultipartUpload upload, Duration age) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
    } catch (SdkException e) {
      StoreException failure = S3Errors.map(e, "abort the stale upload of " + upload.key());
      if (failure.reason() == StoreException.Reason.NOT_FOUND) {
        return true;
      }
      LOG.warn(
          "Could not abort the stale upload of {} (upload id {}): {}; the next sweep tries again",
          upload.key(),
          upload.uploadId(),
          failure.getMessage());
      return false;
    }
    LOG.info(
        "Aborted stale multipart upload of {} started at least {} ago (upload id {})",
        upload.key(),
        age.withNanos(0),
        upload.uploadId());
    return true;
  }

  private static Optional<Instant> serverTime(ListMultipartUploadsResponse page) {
    return page.sdkHttpResponse()
        .firstMatchingHeader("Date")
        .flatMap(
            date -> {
              try {
                return Optional.of(
                    ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
              } catch (DateTimeParseException e) {
                return Optional.empty();
              }
            });
  }
}
