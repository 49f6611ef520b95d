package dev.dropzone.kek;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A data key as wrapped by a {@link KeyService}: opaque, safe to store anywhere.
 *
 * @param ref the provider and master key (with version, where the provider has versions) that
 *     wrapped it; stored as {@code dz-key-ref}
 * @param text the provider's ciphertext in a printable ASCII form; stored as {@code dz-key}
 */
public record WrappedKey(String ref, String text) {

  /**
   * S3 allows 2 KB of user metadata in total; the wrapped key and its reference must leave room for
   * the other {@code dz-*} fields.
   */
  public static final int MAX_TEXT_BYTES = 1536;

  public static final int MAX_REF_BYTES = 256;

  public WrappedKey {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(text, "text");
    checkPrintable("key reference", ref, MAX_REF_BYTES);
    checkPrintable("wrapped key", text, MAX_TEXT_BYTES);
  }

  /** The provider part of {@link #ref()}, e.g. {@code local}, {@code vault}, {@code kms}. */
  public String provider() {
    int colon = ref.indexOf(':');
    return colon < 0 ? ref : ref.substring(0, colon);
  }

  private static void checkPrintable(String what, String value, int maxBytes) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length > maxBytes) {
      throw new IllegalArgumentException(
          what + " is " + bytes.length + " bytes, over the limit of " + maxBytes);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      // S3 user metadata travels in HTTP headers: printable ASCII only.
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(what + " contains a non-printable character at " + i);
      }
    }
  }

  @Override
  public String toString() {
    // The text is ciphertext, but there is no reason to spread it through logs.
    return "WrappedKey[" + ref + "]";
  }
}
