package dev.dropzone.gateway.scan;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines for blocking socket calls. A blocking {@code SocketChannel} has no timeout for connect
 * or write, and a clamd that stopped reading would hold an upload forever: the watchdog closes the
 * channel when a call overruns, which makes the blocked call fail at once.
 */
final class Watchdog implements AutoCloseable {

  /** One blocking call. */
  @FunctionalInterface
  interface Call<T> {
    T run() throws IOException;
  }

  private final ScheduledThreadPoolExecutor timer;

  Watchdog() {
    timer =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "dz-scan-watchdog");
              thread.setDaemon(true);
              return thread;
            });
    // Nearly every deadline is cancelled; without this they would pile up until they expire.
    timer.setRemoveOnCancelPolicy(true);
  }

  /**
   * Runs {@code call}; if it has not returned after {@code timeout}, closes {@code target}.
   *
   * @throws SocketTimeoutException when the deadline passed (the target is then closed, even if the
   *     call returned just in time)
   */
  <T> T within(Duration timeout, Closeable target, String what, Call<T> call) throws IOException {
    ScheduledFuture<?> deadline =
        timer.schedule(() -> closeQuietly(target), timeout.toNanos(), TimeUnit.NANOSECONDS);
    T result;
    try {
      result = call.run();
    } catch (IOException e) {
      if (deadline.cancel(false)) {
        throw e;
      }
      throw timedOut(what, timeout, e);
    }
    if (!deadline.cancel(false)) {
      throw timedOut(what, timeout, null);
    }
    return result;
  }

  private static SocketTimeoutException timedOut(String what, Duration timeout, Exception cause) {
    SocketTimeoutException e =
        new SocketTimeoutException(what + " took longer than " + timeout.toMillis() + " ms");
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private static void closeQuietly(Closeable target) {
    try {
      target.close();
    } catch (IOException ignored) {
      // The call it interrupts reports the failure.
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
