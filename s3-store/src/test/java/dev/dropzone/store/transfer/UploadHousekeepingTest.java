package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When sweeps run: spread out, so replicas started together do not sweep together. */
class UploadHousekeepingTest {

  @Test
  void waitsBetweenSweepsVaryWithinAQuarterOfTheInterval() {
    Duration hour = Duration.ofHours(1);
    Set<Duration> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      Duration wait = UploadHousekeeping.nextWait(hour);
      assertThat(wait).isBetween(Duration.ofMinutes(45), Duration.ofMinutes(75));
      seen.add(wait);
    }
    assertThat(seen).hasSizeGreaterThan(900);
  }

  @Test
  void theFirstSweepComesWithinAMinuteOrWithinTheIntervalIfShorter() {
    Set<Duration> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      Duration first = UploadHousekeeping.firstWait(Duration.ofHours(1));
      assertThat(first).isBetween(Duration.ZERO, Duration.ofMinutes(1));
      seen.add(first);
      assertThat(UploadHousekeeping.firstWait(Duration.ofSeconds(5)))
          .isBetween(Duration.ZERO, Duration.ofSeconds(5));
    }
    assertThat(seen).hasSizeGreaterThan(900);
  }
}
