package dev.dropzone.kek.format;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.subtle.Hkdf;
import com.google.crypto.tink.util.SecretBytes;
import dev.dropzone.kek.StreamingKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An unwrapped 32-byte data key, ready for everything the object format does with it: the streaming
 * AEAD of object bodies, the identity tag of v2 objects, the MAC of v2 key records, and the sealed
 * plaintext digest. The raw bytes stay inside; nothing here hands them out.
 *
 * <p>Every derived key comes from HKDF-SHA256 over the data key with its own {@code info}, so the
 * purposes never share a key with each other or with Tink's per-object segment keys (which use the
 * header's random salt and the body's associated data as {@code info}). Thread-safe.
 */
public final class DataKey {

  static final String IDENTITY_INFO = "dropzone/v2 object identity";
  static final String RECORD_INFO = "dropzone/v2 key record";
  static final String DIGEST_INFO = "dropzone/v2 digest";

  private static final String HMAC = "HmacSHA256";
  private static final int DERIVED_BYTES = 32;
  private static final int DIGEST_NONCE_BYTES = 12;
  private static final int GCM_TAG_BITS = 128;

  /** The sealed digest: a 12-byte nonce, the 32-byte SHA-256 encrypted, a 16-byte GCM tag. */
  public static final int SEALED_DIGEST_BYTES = DIGEST_NONCE_BYTES + 32 + GCM_TAG_BITS / 8;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AesGcmHkdfStreamingParameters PARAMETERS = parameters();

  private final byte[] raw;
  private final StreamingAead aead;
  private final SecretKeySpec identityKey;
  private final SecretKeySpec recordKey;

  private DataKey(byte[] raw) throws GeneralSecurityException {
    this.raw = raw;
    this.aead =
        AesGcmHkdfStreaming.create(
            AesGcmHkdfStreamingKey.create(
                PARAMETERS, SecretBytes.copyFrom(raw, InsecureSecretKeyAccess.get())));
    this.identityKey = derive(raw, new byte[0], IDENTITY_INFO, HMAC);
    this.recordKey = derive(raw, new byte[0], RECORD_INFO, HMAC);
  }

  /**
   * The key made of {@code raw}, which is copied: the caller may (and should) wipe its array.
   *
   * @throws GeneralSecurityException when {@code raw} is not 32 bytes
   */
  public static DataKey fromRaw(byte[] raw) throws GeneralSecurityException {
    if (raw.length != StreamingKeys.KEY_BYTES) {
      throw new GeneralSecurityException(
          "data key must be " + StreamingKeys.KEY_BYTES + " bytes, got " + raw.length);
    }
    return new DataKey(raw.clone());
  }

  /** The streaming AEAD (Tink AES256_GCM_HKDF_1MB) that encrypts and decrypts object bodies. */
  public StreamingAead streamingAead() {
    return aead;
  }

  /** The v2 identity tag ({@code dz-mac}) of an object with {@code identity}. */
  public byte[] identityTag(ObjectIdentity identity) {
    return hmac(identityKey, identity.tagInput());
  }

  /** Whether {@code tag} is the identity tag of {@code identity} under this key (constant time). */
  public boolean hasIdentity(ObjectIdentity identity, byte[] tag) {
    return MessageDigest.isEqual(identityTag(identity), tag);
  }

  /** The MAC of a v2 key record with these fields. */
  public byte[] recordTag(RecordFields fields) {
    return hmac(recordKey, fields.tagInput());
  }

  /** Whether {@code tag} is the MAC of a key record with {@code fields} (constant time). */
  public boolean hasRecord(RecordFields fields, byte[] tag) {
    return MessageDigest.isEqual(recordTag(fields), tag);
  }

  /**
   * Seals a plaintext's SHA-256 for the object whose body starts with {@code header}: AES-256-GCM
   * under a key derived with the header's salt, so the result is bound to that one object body.
   */
  public byte[] sealDigest(byte[] header, byte[] sha256) throws GeneralSecurityException {
    if (sha256.length != 32) {
      throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + sha256.length);
    }
    byte[] nonce = new byte[DIGEST_NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    Cipher gcm = digestCipher(Cipher.ENCRYPT_MODE, header, nonce);
    byte[] sealed = Arrays.copyOf(nonce, SEALED_DIGEST_BYTES);
    gcm.doFinal(sha256, 0, sha256.length, sealed, DIGEST_NONCE_BYTES);
    return sealed;
  }

  /**
   * The SHA-256 sealed by {@link #sealDigest} for the body starting with {@code header}.
   *
   * @throws GeneralSecurityException when {@code sealed} was not sealed for this key and header
   */
  public byte[] openDigest(byte[] header, byte[] sealed) throws GeneralSecurityException {
    if (sealed.length != SEALED_DIGEST_BYTES) {
      throw new GeneralSecurityException(
          "a sealed digest has " + SEALED_DIGEST_BYTES + " bytes, not " + sealed.length);
    }
    Cipher gcm =
        digestCipher(Cipher.DECRYPT_MODE, header, Arrays.copyOf(sealed, DIGEST_NONCE_BYTES));
    return gcm.doFinal(sealed, DIGEST_NONCE_BYTES, sealed.length - DIGEST_NONCE_BYTES);
  }

  private Cipher digestCipher(int mode, byte[] header, byte[] nonce)
      throws GeneralSecurityException {
    SecretKeySpec key = derive(raw, ObjectHeader.salt(header), DIGEST_INFO, "AES");
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(mode, key, new GCMParameterSpec(GCM_TAG_BITS, nonce));
    gcm.updateAAD(DIGEST_INFO.getBytes(StandardCharsets.US_ASCII));
    return gcm;
  }

  /** HKDF-SHA256 (RFC 5869); an empty salt stands for 32 zero bytes, as the RFC says. */
  private static SecretKeySpec derive(byte[] ikm, byte[] salt, String info, String algorithm)
      throws GeneralSecurityException {
    byte[] derived =
        Hkdf.computeHkdf(HMAC, ikm, salt, info.getBytes(StandardCharsets.US_ASCII), DERIVED_BYTES);
    try {
      return new SecretKeySpec(derived, algorithm);
    } finally {
      Arrays.fill(derived, (byte) 0);
    }
  }

  private static byte[] hmac(SecretKeySpec key, byte[] message) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      // Every JDK ships HMAC-SHA256, and the key is a fresh 32-byte spec.
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }

  private static AesGcmHkdfStreamingParameters parameters() {
    try {
      return AesGcmHkdfStreamingParameters.builder()
          .setKeySizeBytes(StreamingKeys.KEY_BYTES)
          .setDerivedAesGcmKeySizeBytes(StreamingKeys.KEY_BYTES)
          .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
          .setCiphertextSegmentSizeBytes(ObjectFormat.SEGMENT)
          .build();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  public String toString() {
    return "DataKey[...]";
  }
}
