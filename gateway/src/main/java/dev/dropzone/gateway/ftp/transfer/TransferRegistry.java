package dev.dropzone.gateway.ftp.transfer;

import dev.dropzone.gateway.ftp.control.ControlQueue;
import dev.dropzone.gateway.ftp.control.FailureGuard;
import dev.dropzone.gateway.ftp.transfer.Transfer.Cut;
import dev.dropzone.gateway.ftp.transfer.Transfer.Party;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.impl.FtpIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs transfers (uploads, downloads, listings) on their own bounded pool of threads, so that
 * MINA's command threads only ever run short commands: greetings, ABOR and every other command get
 * an answer however many transfers are running. Beyond {@code ftp.maxTransfers} a new transfer is
 * refused at once rather than queued. A progress watchdog cuts off transfers whose data has not
 * moved for the data idle timeout; a shutdown waits for running transfers and then cuts off the
 * rest.
 */
public final class TransferRegistry implements AutoCloseable {

  /**
   * Set on the control session while it transfers (to the {@link Transfer}). MINA measures idleness
   * on the control connection only, which is silent during a transfer: without this mark a long
   * upload would have its control connection closed as idle (and so be aborted).
   */
  public static final String TRANSFERRING = "dropzone.transferring";

  /** What a transfer does once it has its thread; it answers the client itself. */
  @FunctionalInterface
  public interface Work {
    void run(Transfer transfer);
  }

  /** The outcome of {@link #start}. */
  public enum Start {
    STARTED,
    /** Every transfer slot is taken. */
    BUSY,
    /** The gateway is shutting down. */
    CLOSING
  }

  private static final Logger LOG = LoggerFactory.getLogger(TransferRegistry.class);

  private final int limit;
  private final Duration dataIdleTimeout;
  private final AtomicInteger taken = new AtomicInteger();
  private final Set<Transfer> running = ConcurrentHashMap.newKeySet();
  private final ThreadPoolExecutor threads;
  private final ThreadPoolExecutor cancellers;
  private final ScheduledFuture<?> watchdog;
  private volatile boolean closing;

  /**
   * @param limit transfers at once ({@code ftp.maxTransfers})
   * @param dataIdleTimeout a transfer whose data does not move for this long is cut off
   * @param timers where the progress watchdog runs
   */
  public TransferRegistry(int limit, Duration dataIdleTimeout, ScheduledExecutorService timers) {
    this.limit = limit;
    this.dataIdleTimeout = dataIdleTimeout;
    this.threads = pool(limit, "dz-transfer-");
    // One per transfer at most: a cancel may block while parts drain, and a cancel that cannot
    // start would leave its transfer waiting for storage.
    this.cancellers = pool(limit, "dz-transfer-cancel-");
    long period = Math.max(100, Math.min(1000, dataIdleTimeout.toMillis() / 4));
    this.watchdog =
        timers.scheduleWithFixedDelay(this::watch, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts {@code work} on a transfer thread. From now until it has answered, the session's other
   * commands wait behind it (ABOR and STAT excepted).
   *
   * @param what what moves, for the log and STAT, e.g. {@code upload of /a.pdf}
   */
  public Start start(FtpIoSession session, String user, String what, Work work) {
    return start(session, user, what, work, false);
  }

  /**
   * As {@link #start(FtpIoSession, String, String, Work)}.
   *
   * @param onControl the work answers on the control connection itself (STAT of a directory): ABOR
   *     and STAT wait behind it too, so that nothing comes between its reply's lines
   */
  public Start start(FtpIoSession session, String user, String what, Work work, boolean onControl) {
    if (closing) {
      return Start.CLOSING;
    }
    if (!claimSlot()) {
      LOG.info(
          "Refused the {} of {}: all {} transfer slots are busy; if this happens often, raise"
              + " ftp.maxTransfers (each needs 3 MiB more heap, see Memory in the README)",
          what,
          user,
          limit);
      return Start.BUSY;
    }
    Transfer transfer = new Transfer(session, user, what, cancellers);
    running.add(transfer);
    session.setAttribute(TRANSFERRING, transfer);
    ControlQueue.transferStarted(session, !onControl);
    try {
      if (closing) {
        throw new RejectedExecutionException("closing");
      }
      threads.execute(() -> run(transfer, work));
      return Start.STARTED;
    } catch (RejectedExecutionException e) {
      release(transfer);
      return Start.CLOSING;
    }
  }

  /** The transfer running on {@code session}, or null. */
  public static Transfer of(FtpIoSession session) {
    return session.getAttribute(TRANSFERRING) instanceof Transfer transfer ? transfer : null;
  }

  /** How long a transfer's data may stand still before it is cut off. */
  public Duration dataIdleTimeout() {
    return dataIdleTimeout;
  }

  private void run(Transfer transfer, Work work) {
    try {
      work.run(transfer);
    } catch (Error e) {
      FailureGuard.contain(ControlQueue.connection(transfer.session()), e);
    } catch (RuntimeException e) {
      LOG.error(
          "{}: the {} failed unexpectedly; this is a bug in Dropzone, please report it with this"
              + " trace",
          transfer.user(),
          transfer.what(),
          e);
      transfer
          .session()
          .write(new DefaultFtpReply(451, "Internal error, the server log has the details"));
    } finally {
      end(transfer);
    }
  }

  private void end(Transfer transfer) {
    FtpIoSession session = transfer.session();
    try {
      if (transfer.finish()) {
        session
            .write(new DefaultFtpReply(226, "ABOR command successful"))
            .awaitUninterruptibly(10_000);
      }
    } finally {
      release(transfer);
      ControlQueue.transferEnded(session);
    }
  }

  private void release(Transfer transfer) {
    transfer.session().removeAttribute(TRANSFERRING, transfer);
    running.remove(transfer);
    taken.decrementAndGet();
    synchronized (this) {
      notifyAll();
    }
  }

  private boolean claimSlot() {
    while (true) {
      int now = taken.get();
      if (now >= limit) {
        return false;
      }
      if (taken.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Cuts off transfers whose data has not moved for the data idle timeout. */
  private void watch() {
    try {
      long now = System.nanoTime();
      long timeout = dataIdleTimeout.toNanos();
      for (Transfer transfer : running) {
        if (transfer.idleNanos(now) > timeout && transfer.cut(Cut.STALLED)) {
          LOG.info(
              "{}: {} cut off, no data moved for {} s: {}",
              transfer.user(),
              transfer.what(),
              dataIdleTimeout.toSeconds(),
              transfer.waitingFor() == Party.CLIENT
                  ? "the client stopped sending or reading (raise ftp.dataIdleTimeout if clients"
                      + " legitimately pause that long)"
                  : "storage did not take or give data in time; check S3");
        }
      }
    } catch (RuntimeException | Error e) {
      // A periodic task that throws is never run again; the watchdog must keep watching, also
      // after an OutOfMemoryError that the next round may well not meet.
      LOG.error("Transfer watchdog failed; it keeps running", e);
    }
  }

  /** From now on new transfers are refused. */
  public void stopAccepting() {
    closing = true;
  }

  public int count() {
    return running.size();
  }

  /** Bytes the running transfers have moved over their data connections so far. */
  public long bytesInFlight() {
    return running.stream().mapToLong(Transfer::moved).sum();
  }

  /**
   * Waits until no transfer runs.
   *
   * @return false if some were still running after {@code timeout}
   */
  public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!running.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** Cuts every running transfer off; returns how many there were. */
  public int abortAll() {
    int n = 0;
    for (Transfer transfer : running) {
      transfer.cut(Cut.SHUTDOWN);
      n++;
    }
    return n;
  }

  /** Stops the watchdog and the threads; call after the transfers have ended. */
  @Override
  public void close() {
    closing = true;
    watchdog.cancel(false);
    threads.shutdown();
    cancellers.shutdown();
  }

  private static ThreadPoolExecutor pool(int size, String name) {
    AtomicInteger counter = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            size,
            size,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread thread = new Thread(task, name + counter.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    // An idle gateway keeps no threads around.
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
