package dev.dropzone.kek;

import dev.dropzone.kek.format.DataKey;
import java.util.Objects;

/**
 * A user's current data key, ready to encrypt: the wrapped form goes into each new object's
 * metadata, the key encrypts its body.
 */
public record UserKey(String user, WrappedKey wrapped, DataKey key) {
  public UserKey {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(wrapped, "wrapped");
    Objects.requireNonNull(key, "key");
  }
}
