package dev.dropzone.kek.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of free text (user names, homes) in S3 user metadata, which travels in HTTP
 * headers and must stay printable ASCII. Letters, digits and {@code - . _ ~ /} stand for
 * themselves; every other UTF-8 byte becomes {@code %XX}.
 */
public final class MetadataText {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private MetadataText() {}

  public static String encode(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (isUnreserved(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >>> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  /**
   * @throws IllegalArgumentException when {@code text} is not what {@link #encode} writes
   */
  public static String decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= text.length()) {
          throw new IllegalArgumentException("truncated %-escape at " + i);
        }
        out.write(hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2)));
        i += 2;
      } else if (c < 0x80 && isUnreserved(c)) {
        out.write(c);
      } else {
        throw new IllegalArgumentException("character " + (int) c + " at " + i + " is not encoded");
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~'
        || c == '/';
  }

  private static int hex(char c) {
    int value = Character.digit(c, 16);
    if (value < 0) {
      throw new IllegalArgumentException("'" + c + "' is not a hex digit");
    }
    return value;
  }
}
