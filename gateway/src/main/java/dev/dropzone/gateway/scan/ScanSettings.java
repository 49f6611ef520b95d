package dev.dropzone.gateway.scan;

import java.time.Duration;
import java.util.Objects;

/**
 * How uploads are scanned, already validated by the configuration layer.
 *
 * @param clamd where clamd listens
 * @param maxConnections most connections to clamd at once, so most uploads scanned at once
 * @param connectTimeout longest wait for a connection to clamd (new or from the pool)
 * @param verdictTimeout longest clamd may take to give its verdict after the last byte, or to take
 *     one block of data
 * @param onFailure what happens to an upload when clamd is unreachable, too slow or fails
 * @param maxSize most bytes sent to clamd per file; must not exceed clamd's StreamMaxLength
 * @param onTooLarge what happens to a file larger than {@code maxSize}
 * @param allUsers whether users who do not say otherwise (users file {@code scan}) are scanned
 */
public record ScanSettings(
    ClamdAddress clamd,
    int maxConnections,
    Duration connectTimeout,
    Duration verdictTimeout,
    Fallback onFailure,
    long maxSize,
    Fallback onTooLarge,
    boolean allUsers) {

  /** What to do with an upload that cannot get a (complete) verdict. */
  public enum Fallback {
    /** Nothing is stored; the client is told why. */
    REFUSE,
    /** The file is stored and the log says it was not (fully) scanned. */
    STORE
  }

  public ScanSettings {
    Objects.requireNonNull(clamd, "clamd");
    Objects.requireNonNull(onFailure, "onFailure");
    Objects.requireNonNull(onTooLarge, "onTooLarge");
    if (maxConnections < 1 || maxSize < 1) {
      throw new IllegalArgumentException("maxConnections and maxSize must be at least 1");
    }
  }
}
