package dev.dropzone.gateway.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Test file contents generated on the fly (no large arrays), and SHA-256 sums of streams. */
final class Content {

  private Content() {}

  /** {@code size} pseudo-random bytes determined by {@code seed}. */
  static InputStream random(long seed, long size) {
    return new InputStream() {
      private final SplittableRandom random = new SplittableRandom(seed);
      private long left = size;

      @Override
      public int read() {
        if (left == 0) {
          return -1;
        }
        left--;
        return random.nextInt(256);
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        for (int i = 0; i < n; i++) {
          b[off + i] = (byte) random.nextInt(256);
        }
        left -= n;
        return n;
      }
    };
  }

  static byte[] bytes(long seed, int size) throws IOException {
    try (InputStream in = random(seed, size)) {
      return in.readAllBytes();
    }
  }

  static String sha256(InputStream in) throws IOException {
    MessageDigest digest = digest();
    byte[] buffer = new byte[64 * 1024];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static String sha256(long seed, long size) throws IOException {
    try (InputStream in = random(seed, size)) {
      return sha256(in);
    }
  }

  /** An output stream that only hashes what it is given. */
  static final class Sink extends OutputStream {
    private final MessageDigest digest = digest();
    private long count;

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

    String sha256() {
      return HexFormat.of().formatHex(digest.digest());
    }

    long count() {
      return count;
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
