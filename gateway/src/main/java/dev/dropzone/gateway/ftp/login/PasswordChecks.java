package dev.dropzone.gateway.ftp.login;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where password checks run: on a few threads of their own, never on MINA's command threads. A
 * password hash costs memory (Argon2id: 19 MiB per check) and CPU, so how many run at once is
 * capped from the heap ({@link #defaultConcurrency}); one client address has at most one attempt in
 * progress (a failed attempt's delay included), so many connections from one address cannot
 * multiply its guessing rate or take every slot; and an attempt that waited longer than the queue
 * timeout is given up rather than checked late.
 */
public final class PasswordChecks implements AutoCloseable {

  /** Heap one password check may need: Argon2id's 19 MiB plus what the login around it uses. */
  static final long HEAP_PER_CHECK = 20L << 20;

  /** Share of the heap password checks may use together: 1/8 (uploads may use half). */
  static final int HEAP_SHARE_DIVISOR = 8;

  /** A login attempt waiting for, or running, its password check. */
  public interface Attempt {
    /**
     * Checks the password and answers the client. Runs on a check thread and must call {@code done}
     * exactly once, when the address may have its next attempt checked: at once after a success,
     * after the delay after a failure.
     */
    void run(Runnable done);

    /** The attempt waited {@code waited} for a check thread, longer than the queue timeout. */
    void expired(Duration waited);

    /** The check died of {@code error} (an OutOfMemoryError, typically): end the session. */
    default void crashed(Error error) {}
  }

  private static final Logger LOG = LoggerFactory.getLogger(PasswordChecks.class);

  private record Queued(InetAddress address, Attempt attempt, long since) {}

  private final ThreadPoolExecutor threads;
  private final long queueTimeoutNanos;
  private final int concurrency;
  private final Timer waits;
  private final Counter expired;

  /** Addresses with an attempt in progress, each with the attempts waiting behind it. */
  private final Map<InetAddress, ArrayDeque<Queued>> busy = new HashMap<>();

  /** Checks whose meters go to a registry of their own that nothing reads. */
  public PasswordChecks(int concurrency, Duration queueTimeout) {
    this(concurrency, queueTimeout, new SimpleMeterRegistry());
  }

  /**
   * @param concurrency password checks that may run at once
   * @param queueTimeout how long an attempt may wait before it is given up
   * @param meters where the queue's meters go: {@code dropzone_ftp_password_checks_queued}, {@code
   *     _running}, {@code _max}, {@code dropzone_ftp_password_check_wait_seconds} and {@code
   *     dropzone_ftp_password_checks_expired_total}
   */
  public PasswordChecks(int concurrency, Duration queueTimeout, MeterRegistry meters) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
    }
    this.concurrency = concurrency;
    this.queueTimeoutNanos = queueTimeout.toNanos();
    AtomicInteger n = new AtomicInteger();
    // The queue holds at most one attempt per address; connections not logged in yet are bounded
    // per address and in total, and each has at most one attempt, so it is bounded too.
    this.threads =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread thread = new Thread(r, "dropzone-login-" + n.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    Gauge.builder("dropzone.ftp.password.checks.queued", this, PasswordChecks::queued)
        .description("Login attempts waiting for a password check thread")
        .register(meters);
    Gauge.builder(
            "dropzone.ftp.password.checks.running", threads, ThreadPoolExecutor::getActiveCount)
        .description("Password checks running now")
        .register(meters);
    Gauge.builder("dropzone.ftp.password.checks.max", this, PasswordChecks::concurrency)
        .description("Password checks that may run at once (auth.maxConcurrentChecks)")
        .register(meters);
    this.waits =
        Timer.builder("dropzone.ftp.password.check.wait")
            .description("Time a login attempt waited for its password check to start")
            .serviceLevelObjectives(
                Duration.ofMillis(1),
                Duration.ofMillis(10),
                Duration.ofMillis(100),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10))
            .register(meters);
    this.expired =
        Counter.builder("dropzone.ftp.password.checks.expired")
            .description("Login attempts given up after auth.checkQueueTimeout without a check")
            .register(meters);
  }

  /** Attempts waiting: behind another of their address, or for a free thread. */
  private double queued() {
    int behind;
    synchronized (busy) {
      behind = busy.values().stream().mapToInt(ArrayDeque::size).sum();
    }
    return behind + threads.getQueue().size();
  }

  /**
   * Password checks that fit in the heap: one per {@value #HEAP_PER_CHECK} bytes of 1/{@value
   * #HEAP_SHARE_DIVISOR} of the heap, at least 1 and at most 2 per processor (checks are CPU-bound;
   * more would only queue inside the CPU). E.g. 1 for 192 MiB, 2 for 384 MiB, 4 for 1 GiB on 2
   * processors.
   */
  public static int defaultConcurrency(long maxHeapBytes, int processors) {
    long fit = maxHeapBytes / HEAP_SHARE_DIVISOR / HEAP_PER_CHECK;
    return (int) Math.max(1, Math.min(fit, 2L * processors));
  }

  public int concurrency() {
    return concurrency;
  }

  /**
   * Runs {@code attempt} once {@code address} has no other attempt in progress and a thread is
   * free. The caller passes what its limits count as one client ({@link LoginThrottle#counted}), so
   * that the addresses of one IPv6 network take turns too.
   */
  public void submit(InetAddress address, Attempt attempt) {
    Queued queued = new Queued(address, attempt, System.nanoTime());
    synchronized (busy) {
      ArrayDeque<Queued> behind = busy.get(address);
      if (behind != null) {
        behind.add(queued);
        return;
      }
      busy.put(address, new ArrayDeque<>());
    }
    dispatch(queued);
  }

  private void dispatch(Queued queued) {
    try {
      threads.execute(() -> run(queued));
    } catch (RejectedExecutionException closed) {
      // Shutting down: the connection is about to close anyway.
    }
  }

  private void run(Queued queued) {
    AtomicBoolean finished = new AtomicBoolean();
    Runnable done =
        () -> {
          if (finished.compareAndSet(false, true)) {
            next(queued.address());
          }
        };
    long waited = System.nanoTime() - queued.since();
    waits.record(waited, TimeUnit.NANOSECONDS);
    try {
      if (waited > queueTimeoutNanos) {
        expired.increment();
        queued.attempt().expired(Duration.ofNanos(waited));
        done.run();
      } else {
        queued.attempt().run(done);
      }
    } catch (RuntimeException e) {
      LOG.error("Login attempt failed unexpectedly; the client is left without a reply", e);
      done.run();
    } catch (Error e) {
      // Answered and closed, so the client is not left waiting for the login timeout.
      queued.attempt().crashed(e);
      done.run();
    }
  }

  private void next(InetAddress address) {
    Queued next;
    synchronized (busy) {
      ArrayDeque<Queued> behind = busy.get(address);
      next = behind == null ? null : behind.poll();
      if (next == null) {
        busy.remove(address);
      }
    }
    if (next != null) {
      dispatch(next);
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
