package dev.dropzone.store.tree;

import dev.dropzone.kek.format.ObjectFormat;

/** The size a listing shows for a stored object, computed from its length alone (no HEAD). */
final class ListedSize {

  private ListedSize() {}

  /**
   * The plaintext size when {@code contentLength} is a possible ciphertext length; otherwise the
   * raw length, so objects not written by Dropzone (or truncated ones) still list, and fail with a
   * clear error only when read.
   */
  static long of(long contentLength) {
    return ObjectFormat.isValidCiphertextSize(contentLength)
        ? ObjectFormat.plaintextSize(contentLength)
        : contentLength;
  }
}
