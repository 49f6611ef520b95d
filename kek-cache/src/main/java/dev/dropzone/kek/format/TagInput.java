package dev.dropzone.kek.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The canonical byte string a MAC is computed over: fields appended in a fixed order, each text or
 * byte field prefixed with its length (u32 big-endian), numbers as u64 big-endian. Length prefixes
 * make the encoding injective: no two field lists share an encoding ({@code "ab","c"} and {@code
 * "a","bc"} differ).
 */
final class TagInput {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

  /** Appends {@code text}'s ASCII bytes without a length: for a fixed leading constant. */
  TagInput constant(String text) {
    out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  /** Appends u32be(length) ‖ the UTF-8 bytes of {@code text}. */
  TagInput text(String text) {
    return bytes(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Appends u32be(length) ‖ {@code bytes}. */
  TagInput bytes(byte[] bytes) {
    int n = bytes.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.writeBytes(bytes);
    return this;
  }

  /** Appends u64be({@code value}). */
  TagInput number(long value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (value >>> shift));
    }
    return this;
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
