package dev.dropzone.kek;

import java.time.Instant;
import java.util.Objects;

/**
 * The wrapped current data key of one user, as kept in {@code .dropzone/keys/<user>.json}.
 *
 * @param user the owner
 * @param key the wrapped data key used for new uploads
 * @param created when this key was generated
 */
public record KeyRecord(String user, WrappedKey key, Instant created) {
  public KeyRecord {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(created, "created");
  }
}
