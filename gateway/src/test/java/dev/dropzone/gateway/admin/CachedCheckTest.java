package dev.dropzone.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Probes cannot hammer what a check calls: one run per cache time, and never two at once. */
class CachedCheckTest {

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicLong now = new AtomicLong();
  private final AtomicInteger runs = new AtomicInteger();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void reusesAResultUntilItIsOlderThanTheCacheTime() throws Exception {
    CachedCheck check =
        new CachedCheck(
            "s3",
            () -> {
              runs.incrementAndGet();
              return Optional.of("down");
            },
            Duration.ofSeconds(5),
            executor,
            now::get);

    CheckResult first = check.result().get(5, TimeUnit.SECONDS);
    now.addAndGet(Duration.ofMillis(4999).toNanos());
    check.result().get(5, TimeUnit.SECONDS);
    assertThat(runs).hasValue(1);

    now.addAndGet(Duration.ofMillis(1).toNanos());
    check.result().get(5, TimeUnit.SECONDS);
    assertThat(runs).hasValue(2);
    assertThat(first).isEqualTo(new CheckResult("s3", "down"));
  }

  @Test
  void probesDuringARunShareItEvenWithoutCaching() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CachedCheck check =
        new CachedCheck(
            "keyService",
            () -> {
              runs.incrementAndGet();
              await(release);
              return Optional.empty();
            },
            Duration.ZERO,
            executor,
            now::get);

    CompletableFuture<CheckResult> first = check.result();
    CompletableFuture<CheckResult> second = check.result();
    release.countDown();

    assertThat(first.get(5, TimeUnit.SECONDS).ok()).isTrue();
    assertThat(second.get(5, TimeUnit.SECONDS).ok()).isTrue();
    assertThat(runs).hasValue(1);
    check.result().get(5, TimeUnit.SECONDS);
    assertThat(runs).as("uncached: the next probe runs it again").hasValue(2);
  }

  @Test
  void aCheckThatThrowsFailsWithTheReason() throws Exception {
    CachedCheck check =
        new CachedCheck(
            "ftp",
            () -> {
              throw new IllegalStateException("listener gone");
            },
            Duration.ZERO,
            executor,
            now::get);

    CheckResult result = check.result().get(5, TimeUnit.SECONDS);

    assertThat(result.ok()).isFalse();
    assertThat(result.problem()).contains("listener gone");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
