package dev.dropzone.store;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * An object being written. Nothing is visible to readers until {@link #commit()} returns; {@link
 * #abort()} leaves neither an object nor a pending multipart upload behind. Closing {@link
 * #stream()} does <em>not</em> commit: a transfer that broke off must never become an object.
 */
public interface Upload extends AutoCloseable {

  /** Where the plaintext goes; encrypted and uploaded while it streams. */
  OutputStream stream();

  /**
   * Ends the data and stores all of it but the final step, so that {@link #commit()} only has to
   * make the object visible: the caller can then take its last decision (is the client still
   * there?) right before the object appears. Optional, and at most once before {@code commit()};
   * {@code commit()} does this itself when it was not called. A failure aborts the upload.
   */
  default void prepareCommit() throws IOException {}

  /** Finishes the upload and makes the object visible; replaces an existing object atomically. */
  void commit() throws IOException;

  /** Discards everything written; idempotent, and a no-op after a successful commit. */
  void abort();

  /** Plaintext bytes accepted so far (including a re-encrypted prefix when resuming). */
  long bytesWritten();

  /**
   * The SHA-256 of the whole file's plaintext (a resumed prefix included), as computed while it
   * streamed; empty before {@link #commit()} returned, and for uploads that compute none.
   */
  default Optional<byte[]> digest() {
    return Optional.empty();
  }

  /** Aborts unless committed, so try-with-resources never leaves a half-written object. */
  @Override
  default void close() {
    abort();
  }
}
