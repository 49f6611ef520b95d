package dev.dropzone.store.s3;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import software.amazon.awssdk.core.SdkResponse;

/**
 * The version of an object a write of this gateway just stored, as a later listing will name it:
 * its ETag, and a time its Last-Modified cannot be later than, from the storage's own clock (so a
 * gateway whose clock is off does not matter).
 *
 * @param eTag the ETag the write's response gave
 * @param notAfter the object's Last-Modified is at most this (to the second)
 */
public record StoredVersion(String eTag, Instant notAfter) {

  /**
   * The version a write's {@code response} names: its ETag, and the response's {@code Date} as the
   * bound (S3 dates an object no later than its answer to the write). Empty when either is missing.
   */
  public static Optional<StoredVersion> of(String eTag, SdkResponse response) {
    return of(eTag, response, Duration.ZERO);
  }

  /**
   * As {@link #of(String, SdkResponse)} for a write whose request took {@code took}: some servers
   * (S3Proxy's Jetty) date their answer when the request's headers arrive and store the object once
   * its body has, so a write that crosses a second has a Last-Modified after its answer's Date. The
   * bound is the Date plus the request's time, rounded up to the second.
   */
  public static Optional<StoredVersion> of(String eTag, SdkResponse response, Duration took) {
    if (eTag == null) {
      return Optional.empty();
    }
    return response
        .sdkHttpResponse()
        .firstMatchingHeader("Date")
        .flatMap(StoredVersion::parseDate)
        .map(date -> new StoredVersion(eTag, roundedUp(date.plus(took))));
  }

  /**
   * {@code System.nanoTime()} now less {@code started}, for {@link #of(String, SdkResponse,
   * Duration)}.
   */
  public static Duration since(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  private static Instant roundedUp(Instant time) {
    Instant second = time.truncatedTo(ChronoUnit.SECONDS);
    return second.equals(time) ? time : second.plusSeconds(1);
  }

  /** The last Date parsed: a busy gateway sees the same one for every write within a second. */
  private static volatile Parsed last = new Parsed("", Instant.EPOCH);

  private record Parsed(String text, Instant instant) {}

  private static Optional<Instant> parseDate(String value) {
    Parsed seen = last;
    if (seen.text().equals(value)) {
      return Optional.of(seen.instant());
    }
    try {
      Instant instant = Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value));
      last = new Parsed(value, instant);
      return Optional.of(instant);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
