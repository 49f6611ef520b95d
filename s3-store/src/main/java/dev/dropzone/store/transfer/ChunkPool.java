package dev.dropzone.store.transfer;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reusable fixed-size byte arrays for part buffers, shared by all uploads of one {@link
 * ObjectTransfers}. Reuse keeps a steady upload from allocating (and the GC from clearing) a part's
 * worth of memory per part; the retention cap keeps a burst of parallel uploads from pinning its
 * peak memory forever.
 */
final class ChunkPool {

  /**
   * Small enough never to be a G1 humongous object (at least half a region, regions are at least 1
   * MiB), large enough that a part is a short list.
   */
  static final int CHUNK_BYTES = 256 << 10;

  private final BlockingQueue<byte[]> free;
  private final AtomicLong allocated = new AtomicLong();

  ChunkPool(int maxRetained) {
    this.free = new ArrayBlockingQueue<>(Math.max(1, maxRetained));
  }

  byte[] take() {
    byte[] chunk = free.poll();
    if (chunk != null) {
      return chunk;
    }
    allocated.incrementAndGet();
    return new byte[CHUNK_BYTES];
  }

  /** Chunks created so far: with reuse, the peak number of chunks in use at once. */
  long allocated() {
    return allocated.get();
  }

  void give(byte[] chunk) {
    free.offer(chunk);
  }
}
