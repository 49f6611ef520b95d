package dev.dropzone.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One user's virtual file tree, rooted at the user's home. Paths are already validated {@link
 * VirtualPath}s; every method fails with a {@link StoreException}.
 *
 * <p>Listing, stat, delete, mkdir, rmdir and rename never need the key service; reading and writing
 * file contents do.
 */
public interface FileTree {

  /** The file or directory at {@code path}; NOT_FOUND if there is none. */
  FileInfo stat(VirtualPath path) throws IOException;

  /**
   * Whether {@code path} is a directory, found out without looking for a file there: the answer
   * costs the same for a file as for nothing, so its timing tells one who may not list no more than
   * its value.
   */
  default boolean isDirectory(VirtualPath path) throws IOException {
    return lookup(path).map(FileInfo::directory).orElse(false);
  }

  /** {@link #stat}, with nothing there an empty answer instead of NOT_FOUND. */
  default Optional<FileInfo> lookup(VirtualPath path) throws IOException {
    try {
      return Optional.of(stat(path));
    } catch (StoreException e) {
      if (e.reason() == StoreException.Reason.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * The entries directly inside {@code dir}, fetched page by page as the stream is consumed (never
   * built whole). Close the stream when done.
   */
  Stream<FileInfo> list(VirtualPath dir) throws IOException;

  /**
   * The entries of {@code dir} as {@link #list} gives them, for callers that need only names, types
   * and sizes (NLST, quota usage): times may be the storage's instead of those their writers
   * recorded, so a store that keeps times apart from its listings need not look any up.
   */
  default Stream<FileInfo> listWithoutTimes(VirtualPath dir) throws IOException {
    return list(dir);
  }

  /** Plaintext of the file from {@code offset}; only authenticated bytes are ever returned. */
  InputStream openRead(VirtualPath file, long offset) throws IOException;

  /**
   * Starts writing {@code file}. With {@code offset > 0} the first {@code offset} plaintext bytes
   * of the existing file are kept (resume/append); the caller then writes the rest.
   */
  Upload openWrite(VirtualPath file, long offset) throws IOException;

  void delete(VirtualPath file) throws IOException;

  void mkdir(VirtualPath dir) throws IOException;

  /** Removes an empty directory; NOT_EMPTY otherwise. */
  void rmdir(VirtualPath dir) throws IOException;

  /** Moves a file or a whole directory; a directory move that stops part way fails as PARTIAL. */
  void rename(VirtualPath from, VirtualPath to) throws IOException;
}
