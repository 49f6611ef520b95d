package dev.dropzone.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the virtual tree.
 *
 * @param path where it is
 * @param directory whether it is a directory (a common prefix or a marker object)
 * @param size plaintext size in bytes; 0 for directories
 * @param lastModified last modification time; the epoch for directories known only by prefix
 */
public record FileInfo(VirtualPath path, boolean directory, long size, Instant lastModified) {
  public FileInfo {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(lastModified, "lastModified");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
  }

  public String name() {
    return path.name();
  }
}
