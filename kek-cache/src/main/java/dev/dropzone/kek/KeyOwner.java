package dev.dropzone.kek;

import java.util.Objects;

/**
 * Whose data key a session uses: the logged-in user and the key domain the session is entitled to
 * (its home as a relative key path, e.g. {@code users/alice}; users sharing a home share it). Both
 * come from the session, never from an object or a record.
 */
public record KeyOwner(String user, String domain) {

  public KeyOwner {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(domain, "domain");
    if (user.isEmpty() || domain.isEmpty()) {
      throw new IllegalArgumentException("a key owner needs a user and a key domain");
    }
  }

  /** The binding format v2 wraps this owner's keys with. */
  public KeyBinding binding() {
    return KeyBinding.domain(domain);
  }

  @Override
  public String toString() {
    return "user " + user + " (key domain " + domain + ")";
  }
}
