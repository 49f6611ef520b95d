package dev.dropzone.store.transfer;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Reads and decrypts the next blocks of a large download on another thread while the caller sends
 * the current one, so fetching from S3, decrypting and writing to the client overlap instead of
 * taking turns on one thread.
 *
 * <p>At most {@link #BLOCKS} blocks of {@link #BLOCK} bytes exist per download, recycled between
 * the two threads. The source's failure reaches the reader as the same exception, after every byte
 * read before it. The source is read only by the reading thread; {@link #close} stops that thread
 * and closes the source.
 */
final class ReadAhead extends InputStream {

  static final int BLOCK = 256 << 10;
  static final int BLOCKS = 4;

  /** What the reading thread hands over: bytes, the end, or the failure. */
  private record Filled(byte[] data, int length, IOException failure) {
    static final Filled END = new Filled(null, -1, null);

    boolean isEnd() {
      return data == null && failure == null;
    }
  }

  private final InputStream source;
  private final BlockingQueue<Filled> filled = new ArrayBlockingQueue<>(BLOCKS);
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BLOCKS);
  private volatile boolean closed;

  private Filled current;
  private int position;

  private ReadAhead(InputStream source) {
    this.source = source;
    for (int i = 0; i < BLOCKS - 1; i++) {
      free.add(new byte[BLOCK]);
    }
  }

  /** {@code source} read ahead on {@code threads}; the source itself if no thread can be had. */
  static InputStream of(InputStream source, Executor threads) {
    ReadAhead ahead = new ReadAhead(source);
    try {
      threads.execute(ahead::fill);
    } catch (RejectedExecutionException e) {
      return source;
    }
    return ahead;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (current == null || (current.data() != null && position == current.length())) {
      next();
    }
    if (current.failure() != null) {
      throw current.failure();
    }
    if (current.isEnd()) {
      return -1;
    }
    int n = Math.min(len, current.length() - position);
    System.arraycopy(current.data(), position, b, off, n);
    position += n;
    return n;
  }

  private void next() throws IOException {
    if (current != null && current.data() != null) {
      free.offer(current.data());
    }
    try {
      current = filled.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Reason.ABORTED, "Download interrupted", e);
    }
    position = 0;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    // Frees a reading thread waiting for room; closing the source under a thread blocked in a
    // read makes that read fail (an unfinished S3 body is aborted, not drained), which ends it.
    filled.clear();
    source.close();
  }

  /** The reading thread: fills blocks until the end, a failure or close. */
  private void fill() {
    while (!closed) {
      byte[] block = free.poll();
      if (block == null) {
        block = new byte[BLOCK];
      }
      int length = 0;
      IOException failure = null;
      try {
        for (int n; length < BLOCK && (n = source.read(block, length, BLOCK - length)) >= 0; ) {
          length += n;
        }
      } catch (IOException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = new IOException(e);
      }
      // Bytes read before a failure still reach the reader, then the failure does.
      if (length > 0 && !hand(new Filled(block, length, null))) {
        return;
      }
      if (failure != null) {
        hand(new Filled(null, 0, failure));
        return;
      }
      if (length < BLOCK) {
        hand(Filled.END);
        return;
      }
    }
  }

  /** Queues {@code block} for the reader; false once the reader has closed. */
  private boolean hand(Filled block) {
    try {
      while (!closed) {
        if (filled.offer(block, 100, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }
}
