package dev.dropzone.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Closeable;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deadlines of blocking calls to clamd, with a target that records being closed. */
class WatchdogTest {

  private final Watchdog watchdog = new Watchdog();
  private final Target target = new Target();
  private final Watchdog.Guard guard = watchdog.guard(target);

  @AfterEach
  void stop() {
    watchdog.close();
  }

  @Test
  void aCallThatOverrunsIsCutByClosingItsTargetAndReportedAsATimeout() {
    assertThatThrownBy(() -> guard.within(Duration.ofMillis(100), "sending data", target::block))
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessage("sending data took longer than 100 ms");
    assertThat(target.closed.getCount()).isZero();
  }

  /** A stream is thousands of writes; none of them may cost a timer task of its own. */
  @Test
  void callsThatFollowEachOtherShareOneScheduledCheck() throws Exception {
    for (int i = 0; i < 5_000; i++) {
      assertThat(guard.within(Duration.ofSeconds(30), "sending data", () -> "sent"))
          .isEqualTo("sent");
    }
    assertThat(watchdog.checksScheduled()).isEqualTo(1);
    assertThat(target.closed.getCount()).isEqualTo(1);
  }

  /** The check scheduled for an earlier call fires during a later one, whose deadline is later. */
  @Test
  void aCheckLeftFromAnEarlierCallDoesNotCutALaterCallBeforeItsOwnDeadline() throws Exception {
    guard.within(Duration.ofMillis(100), "starting a scan", () -> null);

    guard.within(
        Duration.ofSeconds(10),
        "sending data",
        () -> {
          pause(Duration.ofMillis(400));
          return null;
        });

    assertThat(target.closed.getCount()).isEqualTo(1);
    assertThat(watchdog.checksScheduled()).isEqualTo(2);
  }

  /** A call with a shorter timeout than the check already scheduled gets an earlier check. */
  @Test
  void aShorterTimeoutThanTheScheduledCheckIsStillEnforced() throws Exception {
    guard.within(Duration.ofMinutes(10), "sending data", () -> null);

    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                guard.within(Duration.ofMillis(100), "waiting for clamd's verdict", target::block))
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessage("waiting for clamd's verdict took longer than 100 ms");
    // Far below the first call's ten minutes: the liveness of the cut, not a speed target.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closing releases a blocked call, as closing a channel fails a write blocked on it. */
  private static final class Target implements Closeable {
    final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public void close() {
      closed.countDown();
    }

    Object block() throws java.io.IOException {
      try {
        if (!closed.await(60, TimeUnit.SECONDS)) {
          throw new AssertionError("never cut");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new java.io.IOException("closed");
    }
  }
}
