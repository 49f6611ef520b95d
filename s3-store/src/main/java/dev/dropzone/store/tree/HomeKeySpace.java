package dev.dropzone.store.tree;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.nio.charset.StandardCharsets;

/**
 * The S3 keys of one user's home: which key a virtual path maps to, and back. Every key a tree
 * touches is built here, so confinement to the home and S3's key length limit are enforced in one
 * place.
 */
final class HomeKeySpace {

  /** S3's limit on the UTF-8 length of an object key. */
  static final int MAX_KEY_BYTES = VirtualPath.MAX_BYTES;

  /** How much of an over-long name a refusal quotes. */
  private static final int QUOTED_CHARS = 40;

  private final String home;
  private final int maxNameBytes;

  /**
   * @param homeKey the home's key without a trailing slash, e.g. {@code prefix/users/alice}
   * @param reservedKey the key of the reserved area, e.g. {@code prefix/.dropzone}
   * @param maxNameBytes the longest name {@link #newName} lets through
   */
  HomeKeySpace(String homeKey, String reservedKey, int maxNameBytes) {
    if (homeKey.isEmpty() || homeKey.startsWith("/") || homeKey.endsWith("/")) {
      throw new IllegalArgumentException(
          "home key '" + homeKey + "' must be non-empty, without leading or trailing '/'");
    }
    // Key records live in the reserved area: a home on, inside or above it would expose them.
    if (homeKey.equals(reservedKey)
        || homeKey.startsWith(reservedKey + "/")
        || reservedKey.startsWith(homeKey + "/")) {
      throw new IllegalArgumentException(
          "home key '" + homeKey + "' overlaps the reserved area '" + reservedKey + "/'");
    }
    this.home = homeKey;
    this.maxNameBytes = maxNameBytes;
  }

  /**
   * Checks the name of a file or directory about to be created (or renamed to). Only new names are
   * held to the limit: one already stored, by an earlier configuration or another tool, stays
   * readable, renamable and removable.
   *
   * @throws StoreException INVALID_PATH when the last segment of {@code path} is too long
   */
  void newName(VirtualPath path) throws StoreException {
    String name = path.name();
    int bytes = utf8Length(name);
    if (bytes > maxNameBytes) {
      String quoted =
          name.codePointCount(0, name.length()) > QUOTED_CHARS
              ? name.substring(0, name.offsetByCodePoints(0, QUOTED_CHARS)) + "…"
              : name;
      throw new StoreException(
          Reason.INVALID_PATH,
          "Invalid file name: '"
              + quoted
              + "' is "
              + bytes
              + " bytes long; names may have at most "
              + maxNameBytes
              + " bytes here (shorten it)");
    }
  }

  /** The key of the file at {@code path}; INVALID_PATH when it exceeds S3's limit. */
  String key(VirtualPath path) throws StoreException {
    if (path.isRoot()) {
      throw new IllegalArgumentException("the root has no file key");
    }
    return checked(home + "/" + path.relative());
  }

  /**
   * The prefix of everything below {@code dir}, which is also the key of its marker object. Not
   * length-checked: a prefix too long to exist simply matches nothing.
   */
  String prefix(VirtualPath dir) {
    return dir.isRoot() ? home + "/" : home + "/" + dir.relative() + "/";
  }

  /** The key of {@code dir}'s marker object; INVALID_PATH when it exceeds S3's limit. */
  String marker(VirtualPath dir) throws StoreException {
    return checked(prefix(dir));
  }

  /** The client's view of a key inside this home, for messages: {@code /a/b}. */
  String display(String key) {
    return key.startsWith(home + "/") ? key.substring(home.length()) : key;
  }

  static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  static String checked(String key) throws StoreException {
    if (utf8Length(key) > MAX_KEY_BYTES) {
      throw new StoreException(
          Reason.INVALID_PATH,
          "Invalid file name: longer than "
              + MAX_KEY_BYTES
              + " bytes once stored (shorten the name or its directories)");
    }
    return key;
  }
}
