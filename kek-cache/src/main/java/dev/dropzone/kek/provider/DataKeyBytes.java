package dev.dropzone.kek.provider;

import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletionException;

/**
 * The size rule for raw data keys, applied before a key goes to a key service and after one comes
 * back, so that every provider refuses the same inputs with the same words.
 */
public final class DataKeyBytes {

  private DataKeyBytes() {}

  /** Whether {@code dataKey} may be sent to be wrapped. */
  public static boolean fits(byte[] dataKey) {
    return dataKey.length == StreamingKeys.KEY_BYTES;
  }

  /** The INVALID failure for a key that does not {@link #fits}, raised before any request. */
  public static KeyServiceException wrongSize(byte[] dataKey) {
    return new KeyServiceException(
        Failure.INVALID,
        "data key must be " + StreamingKeys.KEY_BYTES + " bytes, got " + dataKey.length);
  }

  /**
   * {@code raw} as a key service returned it, if it is a data key; otherwise it is wiped and the
   * call fails INVALID: the wrapped key held something else, and asking again will not change that.
   *
   * @throws CompletionException carrying the {@link KeyServiceException}, for use inside a future
   */
  public static byte[] checkUnwrapped(byte[] raw, String operation) {
    if (raw.length != StreamingKeys.KEY_BYTES) {
      int length = raw.length;
      Arrays.fill(raw, (byte) 0);
      throw new CompletionException(
          new KeyServiceException(
              Failure.INVALID,
              operation + ": the wrapped key holds " + length + " bytes, not a data key"));
    }
    return raw;
  }

  /**
   * The data key in a reply's Base64 {@code field}; REJECTED if the service sent something that is
   * not Base64, INVALID as in {@link #checkUnwrapped} if it is not a data key.
   *
   * @throws CompletionException carrying the {@link KeyServiceException}, for use inside a future
   */
  public static byte[] fromBase64(String text, String field, String operation) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new CompletionException(
          new KeyServiceException(
              Failure.REJECTED, operation + ": " + field + " in the reply is not Base64"));
    }
    return checkUnwrapped(raw, operation);
  }
}
