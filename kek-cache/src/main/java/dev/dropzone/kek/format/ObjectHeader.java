package dev.dropzone.kek.format;

import java.util.Arrays;

/** The 40-byte header Tink writes before the first segment: length byte, salt, nonce prefix. */
public final class ObjectHeader {

  private ObjectHeader() {}

  /**
   * {@code header} if it has the header's shape (40 bytes, the first one saying 40).
   *
   * @throws IllegalArgumentException otherwise
   */
  public static byte[] check(byte[] header) {
    if (header == null || header.length != ObjectFormat.HEADER) {
      throw new IllegalArgumentException(
          "a body header has "
              + ObjectFormat.HEADER
              + " bytes, not "
              + (header == null ? "none" : header.length));
    }
    if (header[0] != ObjectFormat.HEADER) {
      throw new IllegalArgumentException(
          "a body header starts with its length " + ObjectFormat.HEADER + ", not " + header[0]);
    }
    return header;
  }

  /** The 32-byte HKDF salt of the body's segment keys: bytes 1 to 32 of the header. */
  public static byte[] salt(byte[] header) {
    check(header);
    return Arrays.copyOfRange(header, 1, 1 + ObjectFormat.SALT);
  }
}
