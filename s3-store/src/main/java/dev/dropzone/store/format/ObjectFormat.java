package dev.dropzone.store.format;

import java.nio.charset.StandardCharsets;

/**
 * Object format v1: constants and the exact plaintext/ciphertext size arithmetic of Tink's
 * AES256_GCM_HKDF_1MB streaming AEAD, so sizes come from a listing without a HEAD per object.
 *
 * <p>Layout: a 40-byte header (length byte, 32-byte salt, 7-byte nonce prefix), then segments of
 * {@value #SEGMENT} ciphertext bytes, each ending in a 16-byte tag. The header shares the first
 * segment, which therefore carries {@code SEGMENT - 56} plaintext bytes; later ones carry {@code
 * SEGMENT - 16}. The last segment may be shorter, and is never empty of ciphertext.
 */
public final class ObjectFormat {

  public static final String VERSION = "1";
  public static final String ALGORITHM = "AES256_GCM_HKDF_1MB";

  /** Associated data of every object: binds the format, deliberately not the path (rename). */
  public static final byte[] AAD = "dropzone/v1".getBytes(StandardCharsets.US_ASCII);

  public static final String META_FORMAT = "dz-format";
  public static final String META_ALGORITHM = "dz-alg";
  public static final String META_KEY = "dz-key";
  public static final String META_KEY_REF = "dz-key-ref";
  public static final String META_USER = "dz-user";

  public static final int HEADER = 40;
  public static final int TAG = 16;
  public static final int SEGMENT = 1 << 20;
  public static final int FIRST_SEGMENT_PLAINTEXT = SEGMENT - HEADER - TAG;
  public static final int SEGMENT_PLAINTEXT = SEGMENT - TAG;

  private ObjectFormat() {}

  /** Number of ciphertext segments for {@code plaintext} bytes (at least one, even for 0). */
  public static long segments(long plaintext) {
    checkNotNegative(plaintext);
    if (plaintext <= FIRST_SEGMENT_PLAINTEXT) {
      return 1;
    }
    long rest = plaintext - FIRST_SEGMENT_PLAINTEXT;
    // The first segment plus ceil(rest / d), written (rest - 1) / d + 1 so it cannot overflow.
    return 1 + ((rest - 1) / SEGMENT_PLAINTEXT + 1);
  }

  /**
   * Stored object size for a plaintext of {@code plaintext} bytes.
   *
   * @throws ArithmeticException when the result does not fit in a long
   */
  public static long ciphertextSize(long plaintext) {
    return Math.addExact(HEADER + (long) TAG * segments(plaintext), plaintext);
  }

  /** True when some plaintext size encrypts to exactly {@code ciphertext} bytes. */
  public static boolean isValidCiphertextSize(long ciphertext) {
    if (ciphertext < HEADER + TAG) {
      return false;
    }
    long n = segmentsOfCiphertext(ciphertext);
    long last = ciphertext - (n - 1) * SEGMENT;
    return n == 1 || last > TAG;
  }

  /**
   * Plaintext size of a stored object of {@code ciphertext} bytes.
   *
   * @throws IllegalArgumentException when no plaintext encrypts to that size (truncated object)
   */
  public static long plaintextSize(long ciphertext) {
    if (!isValidCiphertextSize(ciphertext)) {
      throw new IllegalArgumentException(
          ciphertext + " bytes is not the size of a complete " + ALGORITHM + " ciphertext");
    }
    return ciphertext - HEADER - TAG * segmentsOfCiphertext(ciphertext);
  }

  /**
   * Segments in a ciphertext of {@code ciphertext} (positive) bytes: every one full but the last.
   */
  private static long segmentsOfCiphertext(long ciphertext) {
    return (ciphertext - 1) / SEGMENT + 1;
  }

  /** Index of the segment holding plaintext byte {@code offset}. */
  public static long segmentOf(long offset) {
    checkNotNegative(offset);
    if (offset < FIRST_SEGMENT_PLAINTEXT) {
      return 0;
    }
    return 1 + (offset - FIRST_SEGMENT_PLAINTEXT) / SEGMENT_PLAINTEXT;
  }

  /** Ciphertext offset where segment {@code index} starts (segment 0 starts with the header). */
  public static long segmentStart(long index) {
    checkNotNegative(index);
    return index * SEGMENT;
  }

  private static void checkNotNegative(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative value " + value);
    }
  }
}
