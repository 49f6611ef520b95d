package dev.dropzone.kek.http;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: many gateway replicas that lost the key service at the same
 * moment do not all come back at the same moment.
 */
final class Backoff {

  private final long firstMillis;
  private final long maxMillis;

  Backoff(Duration first, Duration max) {
    this.firstMillis = first.toMillis();
    this.maxMillis = Math.max(first.toMillis(), max.toMillis());
  }

  /** The pause before retry number {@code retry} (1 for the first retry). */
  long millisBefore(int retry) {
    long ceiling = firstMillis << Math.min(retry - 1, 20);
    long capped = Math.min(ceiling, maxMillis);
    return 1 + ThreadLocalRandom.current().nextLong(Math.max(capped, 1));
  }
}
