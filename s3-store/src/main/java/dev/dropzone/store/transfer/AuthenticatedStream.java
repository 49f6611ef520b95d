package dev.dropzone.store.transfer;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plaintext from a Tink decrypting stream. Tink only releases a segment once its tag verified, and
 * reports every failure (tag mismatch, truncation, bad header) as a plain {@link IOException};
 * storage failures below it are already {@link StoreException}s. So any other {@link IOException}
 * here is an authentication failure, reported as INTEGRITY, and the stream stays failed.
 */
final class AuthenticatedStream extends FilterInputStream {

  private static final Logger LOG = LoggerFactory.getLogger(AuthenticatedStream.class);

  private final String key;
  private final Closeable source;
  private StoreException failure;

  AuthenticatedStream(InputStream plaintext, Closeable source, String key) {
    super(plaintext);
    this.source = source;
    this.key = key;
  }

  @Override
  public int read() throws IOException {
    checkNotFailed();
    try {
      return super.read();
    } catch (IOException e) {
      throw fail(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    checkNotFailed();
    try {
      return super.read(b, off, len);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  @Override
  public long skip(long n) throws IOException {
    checkNotFailed();
    try {
      return super.skip(n);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } catch (IOException e) {
      // Tink's close has nothing to report that a reader could act on.
    } finally {
      source.close();
    }
  }

  private void checkNotFailed() throws StoreException {
    if (failure != null) {
      throw failure;
    }
  }

  private StoreException fail(IOException e) {
    if (e instanceof StoreException storeFailure) {
      failure = storeFailure;
      return storeFailure;
    }
    failure = integrityFailure(key, e);
    return failure;
  }

  /**
   * The failure to report when Tink rejects {@code key}'s ciphertext. Tink's messages span several
   * lines of internals; the client gets the first line, the log all of it.
   */
  static StoreException integrityFailure(String key, Exception e) {
    String detail = String.valueOf(e.getMessage());
    LOG.error(
        "Object {} failed authentication ({}): it was modified or damaged in storage; restore it"
            + " from a backup or delete it",
        key,
        detail.replace('\n', ' '));
    String summary = detail.lines().findFirst().orElse("").trim();
    return new StoreException(
        Reason.INTEGRITY,
        "integrity check failed: the stored file was modified or damaged (" + summary + ")",
        e);
  }
}
