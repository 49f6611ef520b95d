package dev.dropzone.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * Benchmark content: a fixed 1 MiB block of random bytes repeated, so that any size can be sent
 * without holding it or reading a disk, and its SHA-256 is known before the transfer.
 */
final class PatternSource {

  private static final int BLOCK = 1 << 20;
  private final byte[] block = new byte[BLOCK];

  PatternSource(long seed) {
    new Random(seed).nextBytes(block);
  }

  InputStream open(long size) {
    return new InputStream() {
      private long position;

      @Override
      public int read() {
        return position < size ? block[(int) (position++ % BLOCK)] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (position >= size) {
          return -1;
        }
        int offset = (int) (position % BLOCK);
        int n = (int) Math.min(Math.min(len, BLOCK - offset), size - position);
        System.arraycopy(block, offset, b, off, n);
        position += n;
        return n;
      }
    };
  }

  String sha256(long size) throws IOException {
    Sha256Sink sink = new Sha256Sink();
    open(size).transferTo(sink);
    return sink.hex();
  }

  /** An output that only hashes what it is given and counts it. */
  static final class Sha256Sink extends OutputStream {
    private final MessageDigest digest;
    private long count;

    Sha256Sink() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }

    @Override
    public void write(int b) {
      digest.update((byte) b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      digest.update(b, off, len);
      count += len;
    }

    long count() {
      return count;
    }

    String hex() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
