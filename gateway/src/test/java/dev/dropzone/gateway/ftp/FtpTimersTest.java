package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A login timer cancelled because its client went away leaves nothing behind: a connect-and-reset
 * flood measured 32,004 cancelled timers still queued after 32,000 sessions before this.
 */
class FtpTimersTest {

  @Test
  void cancelledTimersLeaveTheQueueAtOnce() {
    ScheduledThreadPoolExecutor timers = FtpGateway.timers();
    try {
      List<ScheduledFuture<?>> loginTimers = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        loginTimers.add(timers.schedule(() -> {}, 30, TimeUnit.SECONDS));
      }
      loginTimers.forEach(timer -> timer.cancel(false));

      assertThat(timers.getQueue()).isEmpty();
    } finally {
      timers.shutdownNow();
    }
  }
}
