package dev.dropzone.gateway.auth;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import java.util.Optional;

/**
 * The store path a backend maps a user to. Login names and directory attributes come from outside,
 * so each goes through the same path rules as client paths: no backend can hand out a home that
 * escapes the user area or lands in the reserved {@code .dropzone} tree.
 */
public final class HomePath {

  private HomePath() {}

  /**
   * The home {@code <prefix>/<username>} (just {@code <username>} for an empty prefix), or empty
   * when the name cannot be a single path segment (it contains {@code /}, is {@code .} or {@code
   * ..}, has control characters, or is the reserved {@code .dropzone}).
   */
  public static Optional<String> under(String prefix, String username) {
    try {
      VirtualPath parent = prefix.isEmpty() ? VirtualPath.ROOT : VirtualPath.of(prefix);
      return Optional.of(parent.child(username).relative());
    } catch (StoreException e) {
      return Optional.empty();
    }
  }

  /**
   * A home taken as given (for example from a directory attribute), normalised to {@code a/b}.
   *
   * @throws IllegalArgumentException naming the problem when the value is not a usable home
   */
  public static String parse(String value) {
    try {
      VirtualPath path = VirtualPath.of(value);
      if (path.isRoot()) {
        throw new IllegalArgumentException("home '" + value + "' is the root of the store");
      }
      return path.relative();
    } catch (StoreException e) {
      throw new IllegalArgumentException("home '" + value + "': " + e.getMessage(), e);
    }
  }
}
