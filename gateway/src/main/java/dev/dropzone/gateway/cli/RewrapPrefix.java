package dev.dropzone.gateway.cli;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import java.util.Optional;

/**
 * Checks {@code keys rewrap --prefix}: a path below {@code s3.prefix} such as {@code users/alice/}.
 * It is matched as a key prefix, so it is checked, never normalised: {@code ..} or {@code .} would
 * silently mean another part of the bucket.
 */
final class RewrapPrefix {

  private RewrapPrefix() {}

  /** What is wrong with {@code prefix}, or empty when it may be used. */
  static Optional<String> problem(String prefix) {
    if (prefix.isEmpty()) {
      return Optional.empty();
    }
    String trimmed = prefix.startsWith("/") ? prefix.substring(1) : prefix;
    String[] segments = trimmed.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of(
            "'"
                + prefix
                + "': '"
                + segment
                + "' is not allowed; give a path below s3.prefix such as users/alice/");
      }
      if (segment.isEmpty() && i < segments.length - 1) {
        return Optional.of("'" + prefix + "': empty path segment ('//')");
      }
    }
    try {
      VirtualPath.of(trimmed.isEmpty() ? "/" : trimmed);
      return Optional.empty();
    } catch (StoreException e) {
      return Optional.of("'" + prefix + "': " + e.getMessage());
    }
  }
}
