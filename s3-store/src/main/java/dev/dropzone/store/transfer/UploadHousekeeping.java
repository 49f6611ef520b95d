package dev.dropzone.store.transfer;

import dev.dropzone.store.StoreException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link UploadSweeper} in the background: first soon after start (when a crashed
 * predecessor's uploads are most likely), then every interval, each wait stretched or shortened at
 * random by up to a quarter so replicas started together do not sweep together. A failed sweep is a
 * warning that says what to check, and the next one tries again; nothing here ever stops the
 * gateway from starting or serving.
 */
public final class UploadHousekeeping implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UploadHousekeeping.class);

  /** The first sweep comes within this after start (or within one interval, if shorter). */
  private static final Duration FIRST_SWEEP_WITHIN = Duration.ofMinutes(1);

  private final UploadSweeper sweeper;
  private final Supplier<Collection<String>> prefixes;
  private final Duration staleAge;
  private final Duration interval;
  private final ScheduledExecutorService timer;
  private volatile boolean failing;

  private UploadHousekeeping(
      UploadSweeper sweeper,
      Supplier<Collection<String>> prefixes,
      Duration staleAge,
      Duration interval) {
    this.sweeper = sweeper;
    this.prefixes = prefixes;
    this.staleAge = staleAge;
    this.interval = interval;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "dz-upload-sweeper");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts sweeping; returns at once.
   *
   * @param prefixes the key prefixes to sweep under, asked for before each sweep
   * @param staleAge uploads at least this old are aborted
   * @param interval the mean time between sweeps
   */
  public static UploadHousekeeping start(
      UploadSweeper sweeper,
      Supplier<Collection<String>> prefixes,
      Duration staleAge,
      Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("sweep interval must be longer than 0, not " + interval);
    }
    UploadHousekeeping housekeeping = new UploadHousekeeping(sweeper, prefixes, staleAge, interval);
    housekeeping.schedule(firstWait(interval));
    LOG.info(
        "Multipart uploads older than {} are swept about every {} under {}",
        staleAge,
        interval,
        prefixes.get());
    return housekeeping;
  }

  private void schedule(Duration delay) {
    try {
      timer.schedule(this::sweepOnce, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void sweepOnce() {
    Collection<String> under = prefixes.get();
    try {
      UploadSweeper.Sweep sweep = sweeper.sweep(under, staleAge);
      if (failing) {
        LOG.info("Sweeping unfinished uploads works again");
        failing = false;
      }
      LOG.debug(
          "Swept unfinished uploads under {}: {} pending, {} aborted, {} could not be aborted",
          under,
          sweep.pending(),
          sweep.aborted(),
          sweep.failedAborts());
    } catch (StoreException e) {
      failing = true;
      LOG.warn(
          "Could not sweep stale multipart uploads: {}. Check that S3 is reachable and that the"
              + " gateway's credentials allow s3:ListBucketMultipartUploads and"
              + " s3:AbortMultipartUpload under the prefix; the next sweep tries again in about {}",
          e.getMessage(),
          interval);
    } catch (RuntimeException e) {
      failing = true;
      LOG.warn("Sweeping stale multipart uploads failed unexpectedly; trying again later", e);
    } finally {
      schedule(nextWait(interval));
    }
  }

  /** Until the first sweep: at random within a minute (or the interval, if shorter). */
  static Duration firstWait(Duration interval) {
    return random(
        Duration.ZERO, interval.compareTo(FIRST_SWEEP_WITHIN) < 0 ? interval : FIRST_SWEEP_WITHIN);
  }

  /** Between sweeps: the interval, stretched or shortened at random by up to a quarter. */
  static Duration nextWait(Duration interval) {
    return random(interval.multipliedBy(3).dividedBy(4), interval.multipliedBy(5).dividedBy(4));
  }

  private static Duration random(Duration from, Duration to) {
    long low = from.toMillis();
    long high = Math.max(low + 1, to.toMillis());
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(low, high));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
