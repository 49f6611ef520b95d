package dev.dropzone.kek.local;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.provider.DataKeyBytes;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * The master key for single-host and embedded runs: a Tink AES256_GCM keyset in a local file,
 * created on first use and readable by its owner only.
 *
 * <p>Results are returned as already-completed futures: wrapping 32 bytes with AES-GCM takes
 * microseconds and touches no I/O (the keyset is read once, in {@link #open}), so handing the work
 * to another thread would cost more than doing it.
 */
public final class LocalKeyService implements KeyService {

  /** The provider part of every {@code dz-key-ref} this service writes. */
  public static final String PROVIDER = "local";

  /** Tink's AES-GCM ciphertext: 5-byte key prefix, 12-byte IV, then ciphertext and 16-byte tag. */
  private static final int MIN_CIPHERTEXT_BYTES = 5 + 12 + 16;

  static {
    try {
      AeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Path file;
  private final Aead aead;
  private final String masterKeyId;

  private LocalKeyService(Path file, Aead aead, String masterKeyId) {
    this.file = file;
    this.aead = aead;
    this.masterKeyId = masterKeyId;
  }

  /**
   * Opens the keyset in {@code keysetFile}, creating the file (and missing parent directories,
   * owner-only) with a new master key if it does not exist.
   *
   * @throws KeyServiceException UNAVAILABLE if the file cannot be read or written, REJECTED if
   *     group or others may access it, INVALID if it does not hold an AEAD keyset
   */
  public static LocalKeyService open(Path keysetFile) throws KeyServiceException {
    return of(keysetFile, new KeysetFile(keysetFile).openOrCreate());
  }

  /**
   * Opens the keyset in {@code keysetFile}, which must exist: nothing is created, so a mistyped
   * path fails instead of starting a new master key.
   *
   * @throws KeyServiceException REJECTED if the file does not exist or group or others may access
   *     it, UNAVAILABLE if it cannot be read, INVALID if it does not hold an AEAD keyset
   */
  public static LocalKeyService openExisting(Path keysetFile) throws KeyServiceException {
    return of(keysetFile, new KeysetFile(keysetFile).openExisting());
  }

  /**
   * Creates {@code keysetFile} (owner-only, missing parent directories too) with a new master key.
   *
   * @throws KeyServiceException REJECTED if the file already exists: a master key is never
   *     replaced, since the files wrapped with it would become unreadable
   */
  public static LocalKeyService create(Path keysetFile) throws KeyServiceException {
    return of(keysetFile, new KeysetFile(keysetFile).createNew());
  }

  private static LocalKeyService of(Path keysetFile, KeysetHandle handle)
      throws KeyServiceException {
    try {
      Aead aead = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
      String id = PROVIDER + ":" + Integer.toUnsignedString(handle.getPrimary().getId());
      return new LocalKeyService(keysetFile.toAbsolutePath(), aead, id);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyServiceException(
          Failure.INVALID,
          "local keyset file "
              + keysetFile.toAbsolutePath()
              + " does not hold an AEAD keyset: "
              + e.getMessage(),
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
    try {
      byte[] ciphertext = aead.encrypt(dataKey, binding.associatedData());
      return CompletableFuture.completedFuture(
          new WrappedKey(masterKeyId, Base64.getEncoder().encodeToString(ciphertext)));
    } catch (GeneralSecurityException e) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(
              Failure.REJECTED,
              "local keyset " + masterKeyId + " could not wrap a key for " + binding,
              e));
    }
  }

  @Override
  public CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding) {
    try {
      return CompletableFuture.completedFuture(decrypt(wrapped, binding));
    } catch (KeyServiceException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private byte[] decrypt(WrappedKey wrapped, KeyBinding binding) throws KeyServiceException {
    if (!PROVIDER.equals(wrapped.provider())) {
      throw new KeyServiceException(
          Failure.REJECTED,
          "wrapped key (ref "
              + wrapped.ref()
              + ") belongs to key service '"
              + wrapped.provider()
              + "', but this gateway uses the local keyset "
              + masterKeyId);
    }
    byte[] ciphertext;
    try {
      ciphertext = Base64.getDecoder().decode(wrapped.text());
    } catch (IllegalArgumentException e) {
      throw invalid(wrapped, binding, "it is not Base64");
    }
    if (ciphertext.length < MIN_CIPHERTEXT_BYTES) {
      throw invalid(
          wrapped,
          binding,
          "it is " + ciphertext.length + " bytes, shorter than any AES-GCM ciphertext");
    }
    byte[] raw;
    try {
      raw = aead.decrypt(ciphertext, binding.associatedData());
    } catch (GeneralSecurityException e) {
      // Tink does not say which check failed, on purpose; neither do we.
      throw new KeyServiceException(
          Failure.REJECTED,
          "local keyset "
              + masterKeyId
              + " (file "
              + file
              + ") cannot unwrap key ref "
              + wrapped.ref()
              + " for "
              + binding
              + ": it was wrapped by another master key or for another binding, or it was"
              + " altered",
          e);
    }
    if (raw.length != StreamingKeys.KEY_BYTES) {
      int length = raw.length;
      Arrays.fill(raw, (byte) 0);
      throw invalid(wrapped, binding, "it holds " + length + " bytes, not a data key");
    }
    return raw;
  }

  private KeyServiceException invalid(WrappedKey wrapped, KeyBinding binding, String why) {
    return new KeyServiceException(
        Failure.INVALID,
        "local keyset "
            + masterKeyId
            + " cannot unwrap key ref "
            + wrapped.ref()
            + " for "
            + binding
            + ": the wrapped key is malformed ("
            + why
            + ")");
  }

  @Override
  public String toString() {
    return "LocalKeyService[" + masterKeyId + ", " + file + "]";
  }
}
