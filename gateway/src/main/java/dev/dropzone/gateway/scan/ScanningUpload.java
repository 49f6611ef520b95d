package dev.dropzone.gateway.scan;

import dev.dropzone.gateway.scan.ScanRecord.Outcome;
import dev.dropzone.gateway.scan.ScanSettings.Fallback;
import dev.dropzone.gateway.scan.Scanner.Scan;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * An upload whose plaintext also streams to the scanner, block by block as it is encrypted and sent
 * on: no copy is kept and nothing is read twice. {@link #commit()} waits for the verdict and
 * commits only a clean file; a match aborts the upload, so neither an object nor a pending
 * multipart upload remains, and fails with {@link Reason#CONTENT_REJECTED}.
 *
 * <p>Bytes beyond {@link ScanSettings#maxSize()} are never sent to the scanner: depending on {@link
 * ScanSettings#onTooLarge()} the upload fails at once with {@link Reason#TOO_LARGE}, or the scan of
 * the start is concluded there (a match still refuses the file) and the rest is stored unscanned.
 * Without a verdict (scanner unreachable, too slow, failing) {@link ScanSettings#onFailure()}
 * decides between {@link Reason#SCANNER_UNAVAILABLE} and storing the file unscanned.
 *
 * <p>Writes and commit come from the transfer thread; {@link #abort()} may come from any.
 */
final class ScanningUpload implements Upload {

  private final Upload inner;
  private final ScanSettings settings;
  private final ScanRecorder recorder;
  private final String user;
  private final VirtualPath path;
  private final OutputStream stream;
  private volatile Scan scan;
  private volatile boolean aborted;
  private String unscanned;
  private boolean partly;
  private long scanned;
  private Duration verdictTime = Duration.ZERO;

  /**
   * @param scan the scan to feed, or null when there is none (then {@code unscanned} says why)
   */
  ScanningUpload(
      Upload inner,
      Scan scan,
      String unscanned,
      ScanSettings settings,
      ScanRecorder recorder,
      String user,
      VirtualPath path) {
    this.inner = inner;
    this.scan = scan;
    this.unscanned = unscanned;
    this.settings = settings;
    this.recorder = recorder;
    this.user = user;
    this.path = path;
    this.stream = new Tee(inner.stream());
  }

  @Override
  public OutputStream stream() {
    return stream;
  }

  /**
   * Takes the verdict first, so that the caller's last look at its client (is it still there?)
   * comes after the wait for clamd, right before the object appears.
   */
  @Override
  public void prepareCommit() throws IOException {
    // Read once: an ABOR's abort() may clear the field from another thread at any moment.
    Scan current = scan;
    if (current != null) {
      conclude(current);
    }
    inner.prepareCommit();
  }

  @Override
  public void commit() throws IOException {
    Scan current = scan;
    if (current != null) {
      conclude(current);
    }
    inner.commit();
    Outcome outcome =
        unscanned == null ? Outcome.CLEAN : partly ? Outcome.PARTLY_SCANNED : Outcome.UNSCANNED;
    record(outcome, null, unscanned);
  }

  @Override
  public void abort() {
    aborted = true;
    Scan current = scan;
    scan = null;
    if (current != null) {
      current.cancel();
    }
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

  /** Sends what fits under the size limit to the scanner. */
  private void feed(byte[] bytes, int offset, int length) throws StoreException {
    Scan current = scan;
    if (current == null) {
      return;
    }
    int fits = (int) Math.min(length, settings.maxSize() - scanned);
    if (fits > 0) {
      try {
        current.write(bytes, offset, fits);
        scanned += fits;
      } catch (IOException e) {
        noVerdict(e);
        return;
      }
    }
    if (fits < length) {
      tooLarge(current);
    }
  }

  private void tooLarge(Scan current) throws StoreException {
    if (aborted) {
      current.cancel();
      throw new StoreException(Reason.ABORTED, "the upload was aborted; nothing was stored");
    }
    String detail = "it is larger than scan.maxSize (" + size(settings.maxSize()) + ")";
    if (settings.onTooLarge() == Fallback.REFUSE) {
      scan = null;
      current.cancel();
      record(Outcome.REFUSED_TOO_LARGE, null, detail);
      throw new StoreException(
          Reason.TOO_LARGE,
          "File refused: larger than the "
              + size(settings.maxSize())
              + " the virus scanner accepts; nothing was stored");
    }
    partly = true;
    unscanned = detail;
    conclude(current);
  }

  /** Ends {@code current} and takes its verdict: returns when the upload may go on, else throws. */
  private void conclude(Scan current) throws StoreException {
    long start = System.nanoTime();
    Verdict verdict;
    try {
      verdict = current.finish();
    } catch (IOException e) {
      noVerdict(e);
      return;
    } finally {
      scan = null;
    }
    verdictTime = Duration.ofNanos(System.nanoTime() - start);
    if (!verdict.clean()) {
      inner.abort();
      record(Outcome.FOUND, verdict.signature(), null);
      throw new StoreException(
          Reason.CONTENT_REJECTED,
          "File refused: malware found (" + verdict.signature() + "); nothing was stored");
    }
  }

  private void noVerdict(IOException e) throws StoreException {
    Scan current = scan;
    scan = null;
    if (current != null) {
      current.cancel();
    }
    if (aborted) {
      // The scan broke because the upload was aborted meanwhile; the scanner is not to blame.
      throw new StoreException(Reason.ABORTED, "the upload was aborted; nothing was stored", e);
    }
    if (settings.onFailure() == Fallback.REFUSE) {
      inner.abort();
      record(Outcome.REFUSED_UNAVAILABLE, null, e.getMessage());
      throw new StoreException(
          Reason.SCANNER_UNAVAILABLE,
          "Virus scanner unavailable, try again later; nothing was stored",
          e);
    }
    partly = false;
    unscanned = e.getMessage();
  }

  private void record(Outcome outcome, String signature, String detail) {
    recorder.record(new ScanRecord(user, path, outcome, signature, scanned, verdictTime, detail));
  }

  static String size(long bytes) {
    long mib = 1L << 20;
    return bytes % mib == 0 ? bytes / mib + " MiB" : bytes + " bytes";
  }

  /** Scanner first, so a refusal comes before the bytes are stored. */
  private final class Tee extends OutputStream {

    private final OutputStream store;

    Tee(OutputStream store) {
      this.store = store;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      feed(bytes, offset, length);
      store.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
      store.flush();
    }

    /** Closing does not commit (see {@link Upload}), so it is the inner stream's business. */
    @Override
    public void close() throws IOException {
      store.close();
    }
  }
}
