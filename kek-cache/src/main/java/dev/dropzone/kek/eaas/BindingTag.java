package dev.dropzone.kek.eaas;

import com.google.crypto.tink.subtle.Hkdf;
import dev.dropzone.kek.KeyBinding;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Binds an RSA-wrapped data key to its {@link KeyBinding}, which RSA encryption cannot carry: the
 * EaaS API takes no label or associated data. The tag is a MAC keyed from the data key itself,
 * {@code HMAC-SHA256(HKDF-SHA256(ikm = data key, salt = empty, info = "dropzone/v2 eaas binding",
 * 32 bytes), binding.associatedData())}, so only someone who holds the data key can make one: a
 * wrapped key copied with its tag to another user's or domain's object unwraps there, and the tag
 * then fails.
 */
final class BindingTag {

  static final int BYTES = 32;

  private static final byte[] INFO = "dropzone/v2 eaas binding".getBytes(StandardCharsets.UTF_8);

  private BindingTag() {}

  /** The tag of {@code dataKey} for {@code binding}. */
  static byte[] of(byte[] dataKey, KeyBinding binding) {
    byte[] macKey = null;
    try {
      macKey = Hkdf.computeHkdf("HMACSHA256", dataKey, new byte[0], INFO, BYTES);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
      return mac.doFinal(binding.associatedData());
    } catch (GeneralSecurityException e) {
      // HKDF and HMAC with SHA-256 are part of every Java platform.
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    } finally {
      if (macKey != null) {
        Arrays.fill(macKey, (byte) 0);
      }
    }
  }

  /** Whether {@code tag} is the tag of {@code dataKey} for {@code binding}, in constant time. */
  static boolean matches(byte[] tag, byte[] dataKey, KeyBinding binding) {
    return MessageDigest.isEqual(tag, of(dataKey, binding));
  }
}
