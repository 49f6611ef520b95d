package dev.dropzone.gateway.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A decrypted file that appears under its name only complete and verified: written beside it
 * (readable by its owner only), renamed onto the name when the content was accepted, deleted
 * otherwise. So a refused object never leaves plaintext under the name a reader would open.
 */
final class PlaintextFile {

  /** Writes the content; throws when it is refused, after writing any part of it. */
  @FunctionalInterface
  interface Content<T> {
    T writeTo(OutputStream out) throws IOException;
  }

  private PlaintextFile() {}

  /**
   * @param replace whether an existing file at {@code target} is replaced; otherwise it is left as
   *     it is and the write fails with {@link FileAlreadyExistsException}
   */
  static <T> T write(Path target, boolean replace, Content<T> content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!replace && Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    Path partial = partial(dir, target.getFileName().toString());
    try {
      T result;
      try (OutputStream out = Files.newOutputStream(partial)) {
        result = content.writeTo(out);
      }
      if (replace) {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        // Without ATOMIC_MOVE a file that appeared meanwhile is not replaced, but refused.
        Files.move(partial, target);
      }
      return result;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static Path partial(Path dir, String name) throws IOException {
    String prefix = "." + name + ".";
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Files.createTempFile(
          dir,
          prefix,
          ".partial",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    return Files.createTempFile(dir, prefix, ".partial");
  }
}
