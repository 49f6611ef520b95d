package dev.dropzone.store.testing;

import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * One fixed data key for every owner, "wrapped" as its Base64 under the reference {@code
 * test:fixed}: for the format's test vectors, which must be reproducible. Never outside tests.
 */
public final class FixedKeys implements DataKeys {

  public static final String REF = "test:fixed";

  private final byte[] raw;
  private final WrappedKey wrapped;
  private final DataKey key;

  public FixedKeys(byte[] raw) throws GeneralSecurityException {
    this.raw = raw.clone();
    this.wrapped = new WrappedKey(REF, Base64.getEncoder().encodeToString(raw));
    this.key = DataKey.fromRaw(raw);
  }

  /** The key 00 01 02 … 1f. */
  public static FixedKeys counting() throws GeneralSecurityException {
    byte[] raw = new byte[32];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) i;
    }
    return new FixedKeys(raw);
  }

  public byte[] raw() {
    return raw.clone();
  }

  public WrappedKey wrapped() {
    return wrapped;
  }

  public DataKey key() {
    return key;
  }

  @Override
  public CompletableFuture<UserKey> forWriting(KeyOwner owner) {
    return CompletableFuture.completedFuture(new UserKey(owner, 1, wrapped, key));
  }

  @Override
  public CompletableFuture<DataKey> forReading(WrappedKey wrappedKey, KeyBinding binding) {
    if (!wrappedKey.equals(wrapped)) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(KeyServiceException.Failure.REJECTED, "not the fixed key"));
    }
    return CompletableFuture.completedFuture(key);
  }
}
