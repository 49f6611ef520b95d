package dev.dropzone.gateway.scan;

import dev.dropzone.store.VirtualPath;
import java.time.Duration;

/**
 * What happened to one upload that scanning applied to.
 *
 * @param user who uploaded
 * @param path where to
 * @param outcome what became of it
 * @param signature the matching signature or rule for {@link Outcome#FOUND}, else null
 * @param scannedBytes bytes the scanner received
 * @param verdictTime from the last byte sent to the verdict; zero without a verdict
 * @param detail why an upload was not (fully) scanned, else null
 */
public record ScanRecord(
    String user,
    VirtualPath path,
    Outcome outcome,
    String signature,
    long scannedBytes,
    Duration verdictTime,
    String detail) {

  /** The possible ends of a scanned upload. */
  public enum Outcome {
    /** Scanned whole, nothing matched, stored. */
    CLEAN,
    /** A signature matched; nothing was stored. */
    FOUND,
    /**
     * The scanner gave no verdict and {@code scan.onFailure} is {@code store}: stored unscanned.
     */
    UNSCANNED,
    /** Larger than {@code scan.maxSize}: the start was scanned clean, the rest stored unscanned. */
    PARTLY_SCANNED,
    /** The scanner gave no verdict and {@code scan.onFailure} is {@code refuse}. */
    REFUSED_UNAVAILABLE,
    /** Larger than {@code scan.maxSize} and {@code scan.onTooLarge} is {@code refuse}. */
    REFUSED_TOO_LARGE
  }
}
