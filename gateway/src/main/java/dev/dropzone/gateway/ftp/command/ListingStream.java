package dev.dropzone.gateway.ftp.command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * Listing lines as bytes, produced while the data connection consumes them: a directory with a
 * million entries is streamed page by page, never built as one string (as MINA's LIST does).
 */
final class ListingStream extends InputStream {

  /** Bytes of lines a read gathers at most: about one page of 1,000 entries. */
  static final int BATCH = 64 << 10;

  private final Iterator<String> lines;
  private byte[] current = new byte[0];
  private int position;
  private IOException pending;

  ListingStream(Iterator<String> lines) {
    this.lines = lines;
  }

  @Override
  public int read() throws IOException {
    if (!fill()) {
      return -1;
    }
    return current[position++] & 0xff;
  }

  /**
   * As many lines as fit, up to {@link #BATCH} bytes: the caller writes each read to the socket,
   * and a line per write cost a system call and a segment per entry (2 ms of a 500-entry LIST's 11
   * ms). The cap keeps lines from waiting unsent while later pages of a large directory are
   * fetched.
   */
  @Override
  public int read(byte[] b, int off, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (pending != null) {
      throw pending;
    }
    int len = Math.min(length, BATCH);
    int total = 0;
    while (total < len) {
      try {
        if (!fill()) {
          break;
        }
      } catch (IOException e) {
        if (total == 0) {
          throw e;
        }
        // The lines already read go out first; the failure ends the listing at the next read.
        pending = e;
        break;
      }
      int n = Math.min(len - total, current.length - position);
      System.arraycopy(current, position, b, off + total, n);
      position += n;
      total += n;
    }
    return total == 0 ? -1 : total;
  }

  private boolean fill() throws IOException {
    try {
      while (position == current.length) {
        if (!lines.hasNext()) {
          return false;
        }
        current = (lines.next() + "\r\n").getBytes(StandardCharsets.UTF_8);
        position = 0;
      }
      return true;
    } catch (UncheckedIOException e) {
      // The store's lazy paging reports S3 failures this way; give the caller the real cause.
      throw e.getCause();
    }
  }
}
