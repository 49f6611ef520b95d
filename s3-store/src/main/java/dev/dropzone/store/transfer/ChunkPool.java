package dev.dropzone.store.transfer;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reusable fixed-size byte arrays for part buffers, shared by all uploads of one {@link
 * ObjectTransfers}. Reuse keeps a steady upload from allocating (and the GC from clearing) a part's
 * worth of memory per part; the retention cap keeps a burst of parallel uploads from pinning its
 * peak memory, and {@link #trim} gives back what the load of late has not needed, so a gateway idle
 * after a burst returns to its baseline heap instead of holding two uploads' worth of parts (80 MiB
 * with the default part size) for ever.
 */
final class ChunkPool {

  /**
   * Small enough never to be a G1 humongous object (at least half a region, regions are at least 1
   * MiB), large enough that a part is a short list.
   */
  static final int CHUNK_BYTES = 256 << 10;

  private final BlockingQueue<byte[]> free;
  private final AtomicLong inUse = new AtomicLong();
  private final AtomicLong peakInUse = new AtomicLong();

  /** The fewest chunks that were free at any moment since the last {@link #trim}. */
  private final AtomicInteger leastFree = new AtomicInteger();

  ChunkPool(int maxRetained) {
    this.free = new ArrayBlockingQueue<>(Math.max(1, maxRetained));
  }

  byte[] take() {
    byte[] chunk = free.poll();
    leastFree.accumulateAndGet(free.size(), Math::min);
    peakInUse.accumulateAndGet(inUse.incrementAndGet(), Math::max);
    return chunk != null ? chunk : new byte[CHUNK_BYTES];
  }

  /**
   * The most chunks in use at once so far. Chunks are made only when none is free, so no more
   * chunks than this ever existed at once, however often trimming dropped and remade them.
   */
  long peakInUse() {
    return peakInUse.get();
  }

  void give(byte[] chunk) {
    inUse.decrementAndGet();
    free.offer(chunk);
  }

  /**
   * Drops the chunks that stayed free throughout since the last trim: a load that needed them would
   * have taken them. Run at a steady interval, a pool keeps what each interval's busiest moment
   * used and empties within two intervals of the last upload.
   *
   * @return the number of chunks dropped
   */
  int trim() {
    int unused = Math.min(leastFree.get(), free.size());
    int dropped = 0;
    while (dropped < unused && free.poll() != null) {
      dropped++;
    }
    leastFree.set(free.size());
    return dropped;
  }

  /** Chunks kept for reuse right now. */
  int retained() {
    return free.size();
  }
}
