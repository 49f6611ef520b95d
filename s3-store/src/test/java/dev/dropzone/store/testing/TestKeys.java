package dev.dropzone.store.testing;

import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.store.transfer.SessionKeys;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-user random keys held in memory, for store tests that exercise real encryption without a key
 * service. The "wrapped" form is the raw key in Base64 under the reference {@code test:plain}:
 * never do this outside tests.
 */
public final class TestKeys implements DataKeys {

  public static final String REF = "test:plain";

  private final Map<KeyOwner, UserKey> users = new ConcurrentHashMap<>();
  private final AtomicInteger unwraps = new AtomicInteger();

  @Override
  public CompletableFuture<UserKey> forWriting(KeyOwner owner) {
    try {
      return CompletableFuture.completedFuture(users.computeIfAbsent(owner, o -> newKey(o, 1)));
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e.getCause());
    }
  }

  @Override
  public CompletableFuture<DataKey> forReading(WrappedKey key, KeyBinding binding) {
    unwraps.incrementAndGet();
    if (!key.ref().equals(REF)) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(
              KeyServiceException.Failure.REJECTED, "unknown key reference " + key.ref()));
    }
    try {
      return CompletableFuture.completedFuture(
          DataKey.fromRaw(Base64.getDecoder().decode(key.text())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(
              KeyServiceException.Failure.INVALID, "wrapped key does not decode", e));
    }
  }

  /** Replaces the user's key (in every domain), as a rotation would: the next epoch. */
  public void rotate(String user) {
    users.replaceAll(
        (owner, key) -> owner.user().equals(user) ? newKey(owner, key.epoch() + 1) : key);
  }

  /** A session of {@code user} with the home {@code users/<user>}, keys from a new TestKeys. */
  public static SessionKeys session(String user) {
    return new TestKeys().sessionOf(user);
  }

  /** A session of {@code user} with the home {@code users/<user>}, keys from here. */
  public SessionKeys sessionOf(String user) {
    return new SessionKeys(new KeyOwner(user, "users/" + user), this);
  }

  public int unwrapCount() {
    return unwraps.get();
  }

  private static UserKey newKey(KeyOwner owner, long epoch) {
    byte[] raw = StreamingKeys.newDataKey();
    try {
      return new UserKey(
          owner,
          epoch,
          new WrappedKey(REF, Base64.getEncoder().encodeToString(raw)),
          DataKey.fromRaw(raw));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
