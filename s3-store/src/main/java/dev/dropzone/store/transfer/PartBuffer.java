package dev.dropzone.store.transfer;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Ciphertext of one part, kept in pooled chunks rather than one array: a part may exceed the 2 GiB
 * array limit once part sizes have grown, and the request body reads the chunks in place instead of
 * copying them (unlike {@code RequestBody.fromBytes}).
 *
 * <p>The first chunk is taken freely; the second reserves the rest of the part from the {@link
 * PartBufferBudget} (see there why). The reservation goes back exactly once, by {@link #release} or
 * {@link #discard}, whichever comes first. Writes come from one thread; {@link #discard} may come
 * from any.
 */
final class PartBuffer {

  private final ChunkPool pool;
  private final PartBufferBudget budget;
  private final long capacity;
  private final PartBufferBudget.Liveness liveness;
  private final String key;
  private final List<byte[]> chunks = new ArrayList<>();
  private long size;

  /** Written under {@code this}; read without the lock only as a hint to stop early. */
  private volatile boolean closed;

  private int reserved;

  /**
   * @param capacity the size of the part this buffer holds
   * @param liveness checked while waiting for budget, so an abort frees the writer
   * @param key the object, for messages
   */
  PartBuffer(
      ChunkPool pool,
      PartBufferBudget budget,
      long capacity,
      PartBufferBudget.Liveness liveness,
      String key) {
    this.pool = pool;
    this.budget = budget;
    this.capacity = capacity;
    this.liveness = liveness;
    this.key = key;
  }

  long size() {
    return size;
  }

  long capacity() {
    return capacity;
  }

  /** Appends ciphertext; waits for budget when this needs the buffer's second chunk. */
  void write(byte[] b, int off, int len) throws StoreException {
    if (size + len > capacity) {
      throw new IllegalArgumentException(
          "part of " + capacity + " bytes cannot take " + (size + len) + " bytes");
    }
    while (len > 0) {
      int inChunk = (int) (size % ChunkPool.CHUNK_BYTES);
      if (inChunk == 0) {
        if (closed) {
          throw aborted();
        }
        if (chunks.size() == 1) {
          reserveRestOfPart();
        }
        chunks.add(pool.take());
      }
      int n = Math.min(len, ChunkPool.CHUNK_BYTES - inChunk);
      System.arraycopy(b, off, chunks.get(chunks.size() - 1), inChunk, n);
      off += n;
      len -= n;
      size += n;
    }
  }

  private void reserveRestOfPart() throws StoreException {
    int wanted = budget.restOfPart(capacity);
    budget.acquire(wanted, liveness, key);
    synchronized (this) {
      if (!closed) {
        reserved = wanted;
        return;
      }
    }
    // Discarded while this writer waited: the discard could not return what it did not hold yet.
    budget.release(wanted);
    throw aborted();
  }

  /** The upload's own failure if it has one, else a plain ABORTED. */
  private StoreException aborted() throws StoreException {
    liveness.check();
    return new StoreException(Reason.ABORTED, "Upload of " + key + " was aborted");
  }

  /** A request body over the chunks; each retry of the request reads them again from the start. */
  RequestBody body() {
    return RequestBody.fromContentProvider(this::stream, size, "application/octet-stream");
  }

  /** The bytes from the start, read in place; each call a new stream. */
  InputStream stream() {
    List<InputStream> parts = new ArrayList<>(chunks.size());
    long left = size;
    for (byte[] chunk : chunks) {
      int n = (int) Math.min(left, chunk.length);
      parts.add(new ByteArrayInputStream(chunk, 0, n));
      left -= n;
    }
    return new SequenceInputStream(Collections.enumeration(parts));
  }

  /**
   * Returns the reservation and the chunks to the pool. Only the buffer's owner calls this, after
   * its last use (the part or object has been sent, or it was never handed over); the buffer must
   * not be used afterwards.
   */
  void release() {
    int reservation = close();
    // Chunks first: a writer granted this reservation then finds them in the pool instead of
    // allocating new ones while these still wait to be returned.
    chunks.forEach(pool::give);
    chunks.clear();
    size = 0;
    budget.release(reservation);
  }

  /**
   * Returns the reservation but leaves the chunks to the GC: an abort calls this from any thread
   * while a writer may still be copying into them, so they must not reach another buffer through
   * the pool. The writer stops at its next chunk; until it does, at most this part's chunks are in
   * memory outside the budget.
   */
  void discard() {
    budget.release(close());
  }

  /** Closes the buffer and hands over its reservation, so only the first caller returns it. */
  private synchronized int close() {
    closed = true;
    int giveBack = reserved;
    reserved = 0;
    return giveBack;
  }
}
