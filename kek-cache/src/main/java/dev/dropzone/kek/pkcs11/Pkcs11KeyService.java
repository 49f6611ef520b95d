package dev.dropzone.kek.pkcs11;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.provider.BlockingCalls;
import dev.dropzone.kek.provider.DataKeyBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.security.auth.login.LoginException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps data keys with an AES-256 key that lives on a PKCS#11 token (an HSM, or SoftHSM2) and never
 * leaves it.
 *
 * <p>The mechanism is AES-GCM (CKM_AES_GCM) in encrypt/decrypt mode, performed inside the token,
 * with a random 12-byte IV and the user bound as associated data. It is the one authenticated
 * mechanism the JDK's SunPKCS11 provider and common tokens support together: AES key wrap
 * (CKM_AES_KEY_WRAP/_PAD) is unsupported or fails with CKR_ARGUMENTS_BAD through SunPKCS11, GCM in
 * wrap mode fails likewise, and SunPKCS11 does not expose RSA-OAEP at all. The wrapped text is
 * {@code base64(iv || ciphertext || tag)}, the reference {@code pkcs11:<key label>}.
 */
public final class Pkcs11KeyService implements KeyService, AutoCloseable {

  /** The provider part of every {@code dz-key-ref} this service writes. */
  public static final String PROVIDER = "pkcs11";

  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11KeyService.class);
  private static final String CIPHER = "AES/GCM/NoPadding";
  private static final int IV_BYTES = 12;
  private static final int TAG_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Provider provider;
  private final SecretKey key;
  private final String masterKeyId;
  private final String description;
  private final BlockingCalls calls;

  private Pkcs11KeyService(
      Provider provider, SecretKey key, Pkcs11Settings settings, String description) {
    this.provider = provider;
    this.key = key;
    this.masterKeyId = PROVIDER + ":" + settings.keyLabel();
    this.description = description;
    this.calls =
        new BlockingCalls("dropzone-pkcs11", settings.maxConcurrent(), "the key service is closed");
  }

  /**
   * Logs in to the token and finds the key.
   *
   * @throws KeyServiceException UNAVAILABLE if the library or token cannot be used, REJECTED if the
   *     PIN is wrong or the token holds no AES key with the label
   */
  public static Pkcs11KeyService open(Pkcs11Settings settings) throws KeyServiceException {
    String description =
        "pkcs11 token in "
            + settings.tokenDescription()
            + " of "
            + settings.library()
            + " key '"
            + settings.keyLabel()
            + "'";
    if (!Files.isReadable(settings.library())) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE,
          description + ": the PKCS#11 library does not exist or cannot be read");
    }
    Provider provider = configure(settings, description);
    KeyStore store;
    try {
      store = KeyStore.getInstance("PKCS11", provider);
      store.load(null, settings.pin());
    } catch (IOException e) {
      throw new KeyServiceException(
          Failure.REJECTED,
          description + ": login failed (" + rootCause(e) + "); check the PIN",
          e);
    } catch (GeneralSecurityException | ProviderException e) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE, description + ": cannot open the token: " + rootCause(e), e);
    }
    Key found;
    try {
      found = store.getKey(settings.keyLabel(), null);
    } catch (GeneralSecurityException e) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE, description + ": cannot read the key: " + rootCause(e), e);
    }
    if (!(found instanceof SecretKey secret) || !"AES".equalsIgnoreCase(found.getAlgorithm())) {
      throw new KeyServiceException(
          Failure.REJECTED,
          description
              + ": the token holds no AES secret key with this label (found "
              + (found == null ? "nothing" : found.getAlgorithm() + " key")
              + ")");
    }
    LOG.info("Using {}", description);
    return new Pkcs11KeyService(provider, secret, settings, description);
  }

  private static Provider configure(Pkcs11Settings settings, String description)
      throws KeyServiceException {
    Provider prototype = Security.getProvider("SunPKCS11");
    if (prototype == null) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE, description + ": this JVM has no SunPKCS11 provider");
    }
    String config = settings.providerConfig("dropzone-" + INSTANCES.incrementAndGet());
    try {
      // A leading "--" tells SunPKCS11 that the argument is the configuration itself.
      return prototype.configure("--" + config);
    } catch (ProviderException | IllegalArgumentException e) {
      throw new KeyServiceException(
          Failure.UNAVAILABLE,
          description + ": the PKCS#11 token cannot be used: " + rootCause(e),
          e);
    }
  }

  @Override
  public String masterKeyId() {
    return masterKeyId;
  }

  @Override
  public CompletableFuture<WrappedKey> wrap(byte[] dataKey, KeyBinding binding) {
    if (!DataKeyBytes.fits(dataKey)) {
      return CompletableFuture.failedFuture(DataKeyBytes.wrongSize(dataKey));
    }
    String operation = description + ": wrap for " + binding;
    byte[] copy = dataKey.clone();
    return calls.run(
        operation,
        () -> {
          byte[] iv = new byte[IV_BYTES];
          RANDOM.nextBytes(iv);
          try {
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, iv, binding).doFinal(copy);
            byte[] text = ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
            return new WrappedKey(masterKeyId, Base64.getEncoder().encodeToString(text));
          } catch (GeneralSecurityException | ProviderException e) {
            throw failure(
                Failure.UNAVAILABLE, operation + ": the token failed: " + rootCause(e), e);
          } finally {
            Arrays.fill(copy, (byte) 0);
          }
        });
  }

  @Override
  public CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding) {
    String operation = description + ": unwrap " + wrapped.ref() + " for " + binding;
    if (!masterKeyId.equals(wrapped.ref())) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(
              Failure.REJECTED,
              operation
                  + ": the key was wrapped by another key service or key than "
                  + masterKeyId));
    }
    byte[] text;
    try {
      text = Base64.getDecoder().decode(wrapped.text());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(Failure.INVALID, operation + ": the wrapped key is not Base64"));
    }
    if (text.length != IV_BYTES + StreamingKeys.KEY_BYTES + TAG_BYTES) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(
              Failure.INVALID,
              operation + ": the wrapped key is " + text.length + " bytes, not IV, key and tag"));
    }
    return calls.run(
        operation,
        () -> {
          try {
            return cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(text, IV_BYTES), binding)
                .doFinal(text, IV_BYTES, text.length - IV_BYTES);
          } catch (AEADBadTagException e) {
            throw failure(
                Failure.REJECTED,
                operation
                    + ": it does not authenticate: wrapped by another key or for another binding,"
                    + " or altered",
                e);
          } catch (GeneralSecurityException | ProviderException e) {
            throw failure(
                Failure.UNAVAILABLE, operation + ": the token failed: " + rootCause(e), e);
          }
        });
  }

  private Cipher cipher(int mode, byte[] iv, KeyBinding binding) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(CIPHER, provider);
    cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, iv));
    // The binding makes a wrapped key copied to another user's or domain's object not unwrap.
    cipher.updateAAD(binding.associatedData());
    return cipher;
  }

  private static CompletionException failure(Failure failure, String message, Throwable cause) {
    return new CompletionException(new KeyServiceException(failure, message, cause));
  }

  /** The innermost message: SunPKCS11 puts the PKCS#11 return code (CKR_...) at the bottom. */
  private static String rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return cause == error
        ? String.valueOf(message)
        : error.getMessage()
            + " <- "
            + (message == null ? cause.getClass().getSimpleName() : message);
  }

  @Override
  public void close() {
    calls.close();
    if (provider instanceof AuthProvider auth) {
      try {
        auth.logout();
      } catch (LoginException e) {
        LOG.debug("Logout from {} failed: {}", description, e.getMessage());
      }
    }
  }

  @Override
  public String toString() {
    return "Pkcs11KeyService[" + description + "]";
  }
}
