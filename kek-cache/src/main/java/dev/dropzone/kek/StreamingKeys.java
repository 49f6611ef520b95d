package dev.dropzone.kek;

import java.security.SecureRandom;

/**
 * Raw data keys: their size and a fresh random one. What a key becomes once unwrapped (the
 * streaming AEAD and the format's derived keys) is {@link dev.dropzone.kek.format.DataKey}.
 */
public final class StreamingKeys {

  public static final int KEY_BYTES = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private StreamingKeys() {}

  /** A fresh random data key. */
  public static byte[] newDataKey() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return key;
  }
}
