package dev.dropzone.store.tree;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A new file's upload whose checks (the target is not a directory, its parent exists) run while the
 * data already streams, instead of costing a LIST or two before the first byte.
 *
 * <p>The checks do not depend on the data, and S3 has no atomic "create unless a prefix exists", so
 * they were always advisory against other writers. What they guarantee for this session is kept:
 * {@link #commit()} waits for them first and, if they failed, aborts the upload and throws their
 * failure, so nothing becomes visible at a directory's name or in a missing directory. Only the
 * moment of the refusal moves: after the data instead of before it. Writes never wait for the
 * checks, but once the checks have failed the next write aborts, so a large file into a missing
 * directory stops early instead of shipping its parts.
 *
 * <p>Resuming ({@code offset > 0}) does not come here: it reads the existing object before any data
 * streams, so the tree runs the checks synchronously there.
 *
 * <p>Writes and commit come from one thread; {@link #abort()} may come from any.
 */
final class CheckedUpload implements Upload {

  /** Opens the upload the checks guard. */
  @FunctionalInterface
  interface Opener {
    Upload open() throws IOException;
  }

  private final VirtualPath file;
  private final Upload inner;
  private final CompletableFuture<Void> checks;
  private final CheckedStream stream;

  CheckedUpload(VirtualPath file, Upload inner, CompletableFuture<Void> checks) {
    this.file = file;
    this.inner = inner;
    this.checks = checks;
    this.stream = new CheckedStream(inner.stream());
  }

  /**
   * Opens the upload while {@code checks} run. If opening fails, the checks' failure wins when
   * there is one, as it did when the checks ran first (a directory's name stays "is a directory"
   * even while the key service is down).
   */
  static Upload open(VirtualPath file, CompletableFuture<Void> checks, Opener opener)
      throws IOException {
    Upload inner;
    try {
      inner = opener.open();
    } catch (IOException | RuntimeException e) {
      StoreException failed = awaitFailure(file, checks);
      if (failed != null) {
        failed.addSuppressed(e);
        restoreInterrupt(failed);
        throw failed;
      }
      throw e;
    }
    return new CheckedUpload(file, inner, checks);
  }

  @Override
  public OutputStream stream() {
    return stream;
  }

  @Override
  public void prepareCommit() throws IOException {
    throwIfChecksRefused();
    inner.prepareCommit();
  }

  @Override
  public void commit() throws IOException {
    throwIfChecksRefused();
    inner.commit();
  }

  /** Waits for the checks; if they refused the file, aborts the upload and says why. */
  private void throwIfChecksRefused() throws StoreException {
    StoreException failed = awaitFailure(file, checks);
    if (failed != null) {
      // Before the interrupt is restored: an interrupted thread cannot send the abort to S3.
      inner.abort();
      restoreInterrupt(failed);
      throw failed;
    }
  }

  @Override
  public void abort() {
    inner.abort();
  }

  @Override
  public long bytesWritten() {
    return inner.bytesWritten();
  }

  @Override
  public Optional<byte[]> digest() {
    return inner.digest();
  }

  /**
   * Waits for the checks: null if they passed, else the failure to report. Interruption is ABORTED,
   * and the caller restores the interrupt ({@link #restoreInterrupt}) once it has cleaned up.
   */
  private static StoreException awaitFailure(VirtualPath file, CompletableFuture<Void> checks) {
    try {
      checks.get();
      return null;
    } catch (InterruptedException e) {
      return new StoreException(
          Reason.ABORTED, "Upload of " + file + " was interrupted; nothing was stored", e);
    } catch (ExecutionException e) {
      return failureOf(file, e.getCause());
    }
  }

  private static void restoreInterrupt(StoreException failed) {
    if (failed.getCause() instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
  }

  /** The checks' failure, or null while they run or after they passed; never waits. */
  private StoreException failureIfDone() {
    if (!checks.isCompletedExceptionally()) {
      return null;
    }
    return awaitFailure(file, checks);
  }

  /**
   * The same reason and message as the check's own exception; a new instance, since it is thrown on
   * the transfer thread, possibly more than once, and its cause keeps the check's stack.
   */
  private static StoreException failureOf(VirtualPath file, Throwable cause) {
    if (cause instanceof StoreException refused) {
      return new StoreException(refused.reason(), refused.getMessage(), refused);
    }
    return new StoreException(
        Reason.STORAGE_UNAVAILABLE,
        "Could not check " + file + " before storing it: " + cause.getMessage(),
        cause);
  }

  /** The upload's stream; stops at the first write after the checks failed. */
  private final class CheckedStream extends OutputStream {

    private final OutputStream out;

    CheckedStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      throwIfChecksFailed();
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      throwIfChecksFailed();
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    /** Closing does not commit (see {@link Upload}), so it is the inner stream's business. */
    @Override
    public void close() throws IOException {
      out.close();
    }

    private void throwIfChecksFailed() throws StoreException {
      StoreException failed = failureIfDone();
      if (failed != null) {
        inner.abort();
        throw failed;
      }
    }
  }
}
