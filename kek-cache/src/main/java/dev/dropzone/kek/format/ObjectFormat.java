package dev.dropzone.kek.format;

import java.nio.charset.StandardCharsets;

/**
 * Every constant of Dropzone's object format, versions 1 and 2, and the exact plaintext/ciphertext
 * size arithmetic of Tink's AES256_GCM_HKDF_1MB streaming AEAD, so sizes come from a listing
 * without a HEAD per object. {@code docs/FORMAT.md} describes the format byte by byte.
 *
 * <p>Layout: a 40-byte header (length byte, 32-byte salt, 7-byte nonce prefix), then segments of
 * {@value #SEGMENT} ciphertext bytes, each ending in a 16-byte tag. The header shares the first
 * segment, which therefore carries {@code SEGMENT - 56} plaintext bytes; later ones carry {@code
 * SEGMENT - 16}. The last segment may be shorter, and is never empty of ciphertext. Both versions
 * share the body; version 2 adds metadata that binds the object to its home, path and key epoch.
 */
public final class ObjectFormat {

  /** Format v1: the body plus the wrapped key, bound to the owner's user name. */
  public static final String VERSION_1 = "1";

  /** Format v2: v1's body, the key bound to the home, and an identity tag in the metadata. */
  public static final String VERSION_2 = "2";

  public static final String ALGORITHM = "AES256_GCM_HKDF_1MB";

  /**
   * Associated data of every object body, in both versions: binds the format, deliberately not the
   * path (a rename stays a server-side copy; v2 binds the path in the identity tag instead, which a
   * rename rewrites without touching the body).
   */
  public static final byte[] AAD = "dropzone/v1".getBytes(StandardCharsets.US_ASCII);

  public static final String META_FORMAT = "dz-format";
  public static final String META_ALGORITHM = "dz-alg";
  public static final String META_KEY = "dz-key";
  public static final String META_KEY_REF = "dz-key-ref";

  /** The writer's user name; in v2 informational only (identity comes from the session). */
  public static final String META_USER = "dz-user";

  /**
   * v2: the key domain the key is wrapped for, percent-encoded; a hint for maintenance tools (which
   * binding to unwrap with) and for clear refusals, never trusted by a reader.
   */
  public static final String META_DOMAIN = "dz-domain";

  /** v2: the key epoch of the writer's key record. */
  public static final String META_EPOCH = "dz-epoch";

  /** v2: Base64 of the body's 40-byte header, so a rename can re-tag without reading the body. */
  public static final String META_HEADER = "dz-hdr";

  /** v2: modification time, milliseconds since the epoch. */
  public static final String META_MTIME = "dz-mtime";

  /** v2: the identity tag, Base64 of HMAC-SHA256 over domain, path, header, epoch and mtime. */
  public static final String META_TAG = "dz-mac";

  /** v2, optional: the plaintext's SHA-256, sealed under a key derived from the data key. */
  public static final String META_DIGEST = "dz-digest";

  /** S3 allows 2 KB of user metadata in total (names and values). */
  public static final int MAX_METADATA_BYTES = 2048;

  public static final int HEADER = 40;
  public static final int SALT = 32;
  public static final int NONCE_PREFIX = 7;
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
