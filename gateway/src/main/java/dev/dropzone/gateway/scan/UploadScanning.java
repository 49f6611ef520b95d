package dev.dropzone.gateway.scan;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.scan.ScanRecord.Outcome;
import dev.dropzone.gateway.scan.ScanSettings.Fallback;
import dev.dropzone.gateway.scan.Scanner.Scan;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Malware scanning of uploads: decides whose uploads are scanned and gives their trees a scanning
 * {@code openWrite} (see {@link ScanningUpload}). {@link #OFF} scans nothing.
 */
public final class UploadScanning implements AutoCloseable {

  /** No scanning at all. */
  public static final UploadScanning OFF = new UploadScanning(null, null, null);

  private static final Logger LOG = LoggerFactory.getLogger(UploadScanning.class);

  private final ScanSettings settings;
  private final Scanner scanner;
  private final ScanRecorder recorder;

  private UploadScanning(ScanSettings settings, Scanner scanner, ScanRecorder recorder) {
    this.settings = settings;
    this.scanner = scanner;
    this.recorder = recorder;
  }

  /** Scanning with clamd as {@code settings} say, outcomes going to the log. */
  public static UploadScanning start(ScanSettings settings) {
    return start(settings, new ScanLog());
  }

  /**
   * Scanning with clamd as {@code settings} say, outcomes going to {@code recorder}. clamd is tried
   * once right away so the log says at startup whether it answers; it need not, yet: uploads that
   * find it unavailable are handled by {@link ScanSettings#onFailure()}.
   */
  public static UploadScanning start(ScanSettings settings, ScanRecorder recorder) {
    Scanner scanner =
        new ClamdScanner(
            settings.clamd(),
            settings.maxConnections(),
            settings.connectTimeout(),
            settings.verdictTimeout());
    UploadScanning scanning = new UploadScanning(settings, scanner, recorder);
    scanning.tryScanner();
    return scanning;
  }

  /** Whether {@code account}'s uploads are scanned: its own choice, else {@code scan.allUsers}. */
  public boolean appliesTo(Account account) {
    if (scanner == null) {
      return false;
    }
    return account.scanUploads() != null ? account.scanUploads() : settings.allUsers();
  }

  /** {@code tree} with scanned uploads if scanning applies to {@code account}, else as it is. */
  public FileTree apply(Account account, FileTree tree) {
    return appliesTo(account) ? new ScanningTree(tree, this, account.username()) : tree;
  }

  ScanSettings settings() {
    return settings;
  }

  Scanner scanner() {
    return scanner;
  }

  ScanRecorder recorder() {
    return recorder;
  }

  /**
   * An upload could not start a scan: refuses it, or returns why it goes unscanned.
   *
   * @throws StoreException SCANNER_UNAVAILABLE under {@code scan.onFailure: refuse}
   */
  String unavailable(String user, VirtualPath path, IOException cause) throws StoreException {
    if (settings.onFailure() == Fallback.REFUSE) {
      recorder.record(
          new ScanRecord(
              user, path, Outcome.REFUSED_UNAVAILABLE, null, 0, Duration.ZERO, cause.getMessage()));
      throw new StoreException(
          Reason.SCANNER_UNAVAILABLE,
          "Virus scanner unavailable, try again later; nothing was stored",
          cause);
    }
    return cause.getMessage();
  }

  private void tryScanner() {
    long start = System.nanoTime();
    try {
      Scan scan = scanner.begin();
      Verdict verdict = scan.finish();
      LOG.info(
          "Upload scanning on: {} answers ({} for an empty file, {} ms); files up to {} are"
              + " scanned, larger ones are {}; without a verdict uploads are {}",
          scanner.describe(),
          verdict.clean() ? "clean" : verdict.signature(),
          (System.nanoTime() - start) / 1_000_000,
          ScanningUpload.size(settings.maxSize()),
          settings.onTooLarge() == Fallback.REFUSE ? "refused" : "scanned in part",
          settings.onFailure() == Fallback.REFUSE ? "refused" : "stored unscanned");
    } catch (IOException e) {
      LOG.warn(
          "Upload scanning on, but {} does not answer yet: {}; until it does, uploads that are"
              + " scanned will be {}",
          scanner.describe(),
          e.getMessage(),
          settings.onFailure() == Fallback.REFUSE
              ? "refused (scan.onFailure = refuse)"
              : "stored unscanned (scan.onFailure = store)");
    }
  }

  @Override
  public void close() {
    if (scanner != null) {
      scanner.close();
    }
  }
}
