package dev.dropzone.gateway.metrics;

import java.time.Duration;
import java.util.Arrays;

/**
 * Histogram buckets shared by Dropzone's latency meters: about a dozen fixed bounds instead of
 * Micrometer's ~70 default ones, so every label combination stays cheap to store, and bounds taken
 * from one ladder line up across meters in one dashboard.
 */
final class MeterBuckets {

  private static final Duration[] LADDER = {
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(30)
  };

  /** One request to a remote service (S3, a key service): milliseconds to tens of seconds. */
  static final Duration[] REMOTE_CALL = between(Duration.ofMillis(5), Duration.ofSeconds(30));

  /** A download's first byte, which waits for S3 and the key service. */
  static final Duration[] FIRST_BYTE = between(Duration.ofMillis(1), Duration.ofSeconds(10));

  /**
   * A whole transfer, from a small file on a LAN to a large one over a slow link; without the 25 ms
   * bound, which would only split the smallest files' bucket.
   */
  static final Duration[] TRANSFER =
      Arrays.stream(between(Duration.ofMillis(10), Duration.ofMinutes(30)))
          .filter(bound -> !bound.equals(Duration.ofMillis(25)))
          .toArray(Duration[]::new);

  private MeterBuckets() {}

  /** The ladder's bounds from {@code first} to {@code last}, both included and on the ladder. */
  private static Duration[] between(Duration first, Duration last) {
    int from = Arrays.asList(LADDER).indexOf(first);
    int to = Arrays.asList(LADDER).indexOf(last);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(first + ".." + last + " is not a range of the ladder");
    }
    return Arrays.copyOfRange(LADDER, from, to + 1);
  }
}
