package dev.dropzone.store.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * Deterministic test plaintext of any length, reproducible at any offset without holding it: 64 KiB
 * blocks of seeded random bytes, each starting with {@link #MARKER} so tests can look for plaintext
 * in stored objects.
 */
final class PlaintextPattern {

  static final byte[] MARKER = "DROPZONE-PLAINTEXT-MARKER".getBytes(StandardCharsets.US_ASCII);

  private static final int BLOCK = 64 << 10;

  private final long seed;

  PlaintextPattern(long seed) {
    this.seed = seed;
  }

  /** Bytes {@code [offset, offset + length)}. */
  byte[] slice(long offset, int length) {
    byte[] out = new byte[length];
    try (InputStream in = stream(offset, length)) {
      in.readNBytes(out, 0, length);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** Bytes {@code [offset, offset + length)} as a stream, generated block by block. */
  InputStream stream(long offset, long length) {
    return new InputStream() {
      private long position = offset;
      private final long end = offset + length;
      private long blockIndex = -1;
      private final byte[] block = new byte[BLOCK];

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (position >= end) {
          return -1;
        }
        long index = position / BLOCK;
        if (index != blockIndex) {
          fill(block, index);
          blockIndex = index;
        }
        int inBlock = (int) (position % BLOCK);
        int n = (int) Math.min(Math.min(len, BLOCK - inBlock), end - position);
        System.arraycopy(block, inBlock, b, off, n);
        position += n;
        return n;
      }
    };
  }

  byte[] sha256(long offset, long length) throws IOException {
    return sha256(stream(offset, length));
  }

  static byte[] sha256(InputStream in) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[64 << 10];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      digest.update(buffer, 0, n);
    }
    return digest.digest();
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void fill(byte[] block, long index) {
    new SplittableRandom(seed * 1_000_003L + index).nextBytes(block);
    System.arraycopy(MARKER, 0, block, 0, MARKER.length);
  }
}
