package dev.dropzone.kek;

import dev.dropzone.kek.format.DataKey;
import java.util.Objects;

/**
 * A user's current data key, ready to encrypt: the wrapped form goes into each new object's
 * metadata, the key encrypts its body and tags its identity.
 *
 * @param owner the session it serves: user and key domain
 * @param epoch the epoch of the key record it comes from
 */
public record UserKey(KeyOwner owner, long epoch, WrappedKey wrapped, DataKey key) {
  public UserKey {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(wrapped, "wrapped");
    Objects.requireNonNull(key, "key");
  }
}
