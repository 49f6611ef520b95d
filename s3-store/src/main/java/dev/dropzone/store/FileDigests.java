package dev.dropzone.store;

import java.io.IOException;
import java.util.Optional;

/**
 * An optional ability of a {@link FileTree}: the SHA-256 of a file's plaintext as its writer
 * computed it while the upload streamed, without reading the file.
 */
public interface FileDigests {

  /**
   * The file's plaintext SHA-256 (32 bytes); empty when none was recorded (files written before
   * digests were kept, format v1 files). The file proves its identity first, as for a read, so this
   * may need the key service.
   */
  Optional<byte[]> digest(VirtualPath file) throws IOException;
}
