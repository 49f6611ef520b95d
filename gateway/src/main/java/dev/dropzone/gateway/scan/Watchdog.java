package dev.dropzone.gateway.scan;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
  private final AtomicLong checksScheduled = new AtomicLong();

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

  /** The deadlines of calls on {@code target}, one call at a time. */
  Guard guard(Closeable target) {
    return new Guard(target);
  }

  /** Checks scheduled so far: one per guard for calls that follow each other within a timeout. */
  long checksScheduled() {
    return checksScheduled.get();
  }

  /**
   * Deadlines for the calls on one target. A stream to clamd is thousands of short writes, each
   * under the same timeout: scheduling and cancelling a timer task for each cost more CPU than the
   * writes' own bookkeeping and woke the timer thread every time. A guard instead keeps one check
   * scheduled and moves only the deadline it compares against; the check reschedules itself to the
   * latest deadline, and is scheduled anew only when a call's deadline comes before it.
   */
  final class Guard {

    private final Closeable target;

    // Guarded by this.
    private boolean armed;
    private boolean fired;
    private long due;
    private ScheduledFuture<?> check;
    private long checkAt;
    // A check that was replaced may already be running; it must not act, nor schedule another.
    private long generation;

    private Guard(Closeable target) {
      this.target = target;
    }

    /**
     * Runs {@code call}; if it has not returned after {@code timeout}, closes the target.
     *
     * @throws SocketTimeoutException when the deadline passed (the target is then closed, even if
     *     the call returned just in time)
     */
    <T> T within(Duration timeout, String what, Call<T> call) throws IOException {
      arm(timeout.toNanos());
      T result;
      try {
        result = call.run();
      } catch (IOException e) {
        if (disarm()) {
          throw e;
        }
        throw timedOut(what, timeout, e);
      }
      if (!disarm()) {
        throw timedOut(what, timeout, null);
      }
      return result;
    }

    private synchronized void arm(long timeout) {
      armed = true;
      fired = false;
      due = System.nanoTime() + timeout;
      if (check == null || checkAt - due > 0) {
        if (check != null) {
          check.cancel(false);
        }
        scheduleCheck(timeout);
      }
    }

    /** Returns false when the deadline passed first (the target was closed). */
    private synchronized boolean disarm() {
      armed = false;
      return !fired;
    }

    private void scheduleCheck(long delay) {
      long current = ++generation;
      checkAt = due;
      check = timer.schedule(() -> check(current), delay, TimeUnit.NANOSECONDS);
      checksScheduled.incrementAndGet();
    }

    /** Closes the target when the current call overran, else waits for its deadline. */
    private void check(long scheduled) {
      synchronized (this) {
        if (scheduled != generation) {
          return;
        }
        check = null;
        if (!armed) {
          return;
        }
        long left = due - System.nanoTime();
        if (left > 0) {
          scheduleCheck(left);
          return;
        }
        fired = true;
      }
      closeQuietly(target);
    }
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
