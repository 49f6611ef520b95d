package dev.dropzone.kek;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/** Turns raw 32-byte user keys into the object format's streaming AEAD (AES256_GCM_HKDF_1MB). */
public final class StreamingKeys {

  public static final int KEY_BYTES = 32;

  /** Ciphertext segment size of the object format; part of format v1, never change it. */
  public static final int SEGMENT_BYTES = 1 << 20;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AesGcmHkdfStreamingParameters PARAMETERS = parameters();

  private StreamingKeys() {}

  /** A fresh random data key. */
  public static byte[] newDataKey() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return key;
  }

  /** The streaming AEAD for a raw key; the caller may wipe {@code raw} afterwards. */
  public static StreamingAead fromRaw(byte[] raw) throws GeneralSecurityException {
    if (raw.length != KEY_BYTES) {
      throw new GeneralSecurityException(
          "data key must be " + KEY_BYTES + " bytes, got " + raw.length);
    }
    AesGcmHkdfStreamingKey key =
        AesGcmHkdfStreamingKey.create(
            PARAMETERS, SecretBytes.copyFrom(raw, InsecureSecretKeyAccess.get()));
    return AesGcmHkdfStreaming.create(key);
  }

  private static AesGcmHkdfStreamingParameters parameters() {
    try {
      return AesGcmHkdfStreamingParameters.builder()
          .setKeySizeBytes(KEY_BYTES)
          .setDerivedAesGcmKeySizeBytes(KEY_BYTES)
          .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
          .setCiphertextSegmentSizeBytes(SEGMENT_BYTES)
          .build();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
