package dev.dropzone.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the virtual tree.
 *
 * @param path where it is
 * @param directory whether it is a directory (a common prefix or a marker object)
 * @param size plaintext size in bytes; 0 for directories
 * @param lastModified last modification time; for a directory its marker's time, else that of its
 *     newest entry (the epoch only when the server reports no times)
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
