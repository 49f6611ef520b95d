package dev.dropzone.kek;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Gets the JVM's AES-GCM onto its hardware intrinsics before the first transfer.
 *
 * <p>The object format encrypts 1 MiB segments, so the JDK's GHASH and AES-CTR methods are called
 * only about a thousand times per GiB. HotSpot compiles a method (and swaps in the AES-NI/CLMUL
 * intrinsics) only after thousands of calls, so without this a fresh gateway spends its first
 * several GiB in interpreted crypto: measured here at ~120 MiB/s and ~9 CPU-seconds per GiB,
 * against ~3 GiB/s once compiled. Many small operations reach the compile thresholds in a few
 * hundred milliseconds.
 */
public final class CipherWarmUp {

  private static final int ROUNDS = 30_000;
  private static final int BLOCK = 1024;
  private static final int TAG_BITS = 128;

  private CipherWarmUp() {}

  /**
   * Runs enough AES-256-GCM encryptions and decryptions of small buffers to have them compiled.
   * Uses a throwaway all-zero key: nothing here protects data.
   *
   * @return the time it took, in milliseconds
   * @throws GeneralSecurityException if the JDK cannot do AES-GCM (then nothing else could either)
   */
  public static long run() throws GeneralSecurityException {
    long start = System.nanoTime();
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
    byte[] plaintext = new byte[BLOCK];
    byte[] ciphertext = new byte[BLOCK + TAG_BITS / 8];
    byte[] decrypted = new byte[BLOCK];
    byte[] nonce = new byte[12];
    for (int round = 0; round < ROUNDS; round++) {
      // GCM refuses to encrypt twice under one key and nonce.
      nonce[0] = (byte) round;
      nonce[1] = (byte) (round >>> 8);
      nonce[2] = (byte) (round >>> 16);
      GCMParameterSpec spec = new GCMParameterSpec(TAG_BITS, nonce);
      cipher.init(Cipher.ENCRYPT_MODE, key, spec);
      cipher.doFinal(plaintext, 0, BLOCK, ciphertext, 0);
      cipher.init(Cipher.DECRYPT_MODE, key, spec);
      cipher.doFinal(ciphertext, 0, ciphertext.length, decrypted, 0);
    }
    if (!Arrays.equals(plaintext, decrypted)) {
      throw new GeneralSecurityException("AES-GCM round trip returned different bytes");
    }
    return (System.nanoTime() - start) / 1_000_000;
  }
}
