package dev.dropzone.store;

import java.io.IOException;
import java.time.Instant;

/** An optional ability of a {@link FileTree}: setting a file's recorded modification time. */
public interface ModificationTimes {

  /**
   * Records {@code time} (to the millisecond) as the file's modification time: a metadata-only copy
   * of the object onto itself that rewrites its identity tag, conditional on the object being
   * unchanged. NOT_SUPPORTED for format v1 files, which record no time of their own.
   */
  void setModified(VirtualPath file, Instant time) throws IOException;
}
