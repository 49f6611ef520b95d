package dev.dropzone.gateway.metrics;

import java.time.Duration;

/**
 * Histogram buckets shared by Dropzone's latency meters: a dozen fixed bounds instead of
 * Micrometer's ~70 default ones, so every label combination stays cheap to store and the same
 * bounds line up across meters in one dashboard.
 */
final class MeterBuckets {

  /** One request to a remote service (S3, a key service): milliseconds to tens of seconds. */
  static final Duration[] REMOTE_CALL = {
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
    Duration.ofSeconds(30)
  };

  private MeterBuckets() {}
}
