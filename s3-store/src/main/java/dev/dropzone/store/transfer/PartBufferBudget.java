package dev.dropzone.store.transfer;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory all part buffers of one process may hold, counted in {@link ChunkPool} chunks. Each
 * upload is bounded by {@code (partsInFlight + 1)} parts, but uploads are not bounded in number, so
 * without this cap enough concurrent uploads exhaust the heap. Beyond the budget an upload waits
 * until parts of other uploads have been sent.
 *
 * <p>The rules, and why they cannot deadlock:
 *
 * <ul>
 *   <li>A buffer's first chunk is free. Most files fit in one chunk of ciphertext; they never wait
 *       and never queue behind large uploads. The memory outside the budget is one chunk per buffer
 *       in existence, at most {@code partsInFlight + 1} per upload.
 *   <li>A buffer that needs its second chunk reserves the rest of its whole part at once. A waiter
 *       therefore holds no partial reservation that another upload needs to finish. Every holder of
 *       a reservation progresses without more budget (its part is being filled by its client or
 *       sent to S3) and returns it when the part has been sent, so every reservation no larger than
 *       the budget is eventually granted. A part larger than the whole budget (only after thousands
 *       of parts, see {@link PartSizes}) reserves the whole budget.
 *   <li>The semaphore is fair, so a large reservation is not starved by a stream of later ones. A
 *       waiter polls so that an abort from another thread frees it; each poll re-queues it, so
 *       waiters are served in about, not exactly, arrival order.
 * </ul>
 *
 * <p>There is no time limit on waiting: waiting while others upload is legitimate, and an upload
 * whose client is gone is aborted (disconnect, FTP idle timeout, shutdown), which frees it.
 */
final class PartBufferBudget {

  /** Says whether the upload waiting for budget still wants it. */
  @FunctionalInterface
  interface Liveness {
    /** Throws when the upload is aborted or has failed. */
    void check() throws StoreException;
  }

  /**
   * The budget in bytes and how it was chosen, for the startup log line.
   *
   * @param bytes the budget
   * @param origin how it was derived
   */
  record Size(long bytes, String origin) {}

  private static final Logger LOG = LoggerFactory.getLogger(PartBufferBudget.class);

  private final long bytes;
  private final int total;
  private final Semaphore chunks;
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final LongAdder waits = new LongAdder();

  PartBufferBudget(long bytes) {
    this.bytes = bytes;
    this.total = (int) Math.min(Integer.MAX_VALUE, bytes / ChunkPool.CHUNK_BYTES);
    this.chunks = new Semaphore(total, true);
  }

  /**
   * The budget {@code settings} ask for, else one derived from the heap: half of it, raised to one
   * whole upload's {@code (partsInFlight + 1)} parts if those fit in three quarters of the heap,
   * and never below one part.
   */
  static Size size(S3Settings settings, long maxHeap) {
    if (settings.partBufferBudget() != S3Settings.DERIVED_PART_BUFFER_BUDGET) {
      return new Size(settings.partBufferBudget(), "as configured");
    }
    long part = settings.partSize();
    long wholeUpload = (settings.partsInFlight() + 1L) * part;
    if (maxHeap == Long.MAX_VALUE) {
      return new Size(Long.MAX_VALUE, "the heap has no limit");
    }
    long half = maxHeap / 2;
    String heap = "the " + mib(maxHeap) + " heap";
    if (half >= wholeUpload) {
      return new Size(half, "half of " + heap);
    }
    if (wholeUpload <= maxHeap / 4 * 3) {
      return new Size(wholeUpload, "one whole upload's parts, which fit in " + heap);
    }
    if (half >= part) {
      return new Size(half, "half of " + heap + ", less than one whole upload's parts");
    }
    return new Size(part, "one part, more than half of " + heap);
  }

  /** Chunks a new buffer of {@code capacity} bytes reserves with its second chunk. */
  int restOfPart(long capacity) {
    long chunksOfPart = (capacity + ChunkPool.CHUNK_BYTES - 1) / ChunkPool.CHUNK_BYTES;
    return (int) Math.min(total, Math.max(0, chunksOfPart - 1));
  }

  /**
   * Reserves {@code n} chunks, waiting while the budget is spent; {@code liveness} is checked while
   * waiting.
   *
   * @throws StoreException from {@code liveness}, or ABORTED when interrupted; nothing is reserved
   *     then
   */
  void acquire(int n, Liveness liveness, String key) throws StoreException {
    if (n == 0) {
      return;
    }
    try {
      // Timed, unlike plain tryAcquire(n), so that it does not barge past earlier waiters.
      if (!chunks.tryAcquire(n, 0, TimeUnit.SECONDS)) {
        waits.increment();
        LOG.debug(
            "Upload of {} waits for {} of part buffer budget ({} of {} reserved); raise"
                + " s3.partBufferBudget or the heap if uploads wait often",
            key,
            mib((long) n * ChunkPool.CHUNK_BYTES),
            mib(reserved.get() * ChunkPool.CHUNK_BYTES),
            mib(bytes));
        do {
          liveness.check();
        } while (!chunks.tryAcquire(n, 1, TimeUnit.SECONDS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(
          Reason.ABORTED, "Upload of " + key + " interrupted while waiting for memory", e);
    }
    long now = reserved.addAndGet(n);
    peak.accumulateAndGet(now, Math::max);
  }

  /** Returns {@code n} reserved chunks. */
  void release(int n) {
    if (n == 0) {
      return;
    }
    reserved.addAndGet(-n);
    chunks.release(n);
  }

  long bytes() {
    return bytes;
  }

  /** Chunks the whole budget holds. */
  int totalChunks() {
    return total;
  }

  /** Chunks not reserved right now. */
  int availableChunks() {
    return chunks.availablePermits();
  }

  /** Chunks reserved right now. */
  long reservedChunks() {
    return reserved.get();
  }

  /** The most chunks ever reserved at once. */
  long peakReservedChunks() {
    return peak.get();
  }

  /** How often an upload had to wait for budget. */
  long waits() {
    return waits.sum();
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
  }
}
