package dev.dropzone.gateway.scan;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes every scan outcome to the log: refusals and unscanned files as warnings. */
public final class ScanLog implements ScanRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(ScanLog.class);

  @Override
  public void record(ScanRecord r) {
    switch (r.outcome()) {
      case CLEAN ->
          LOG.info(
              "Scan clean: {} {} ({} bytes, verdict after {} ms)",
              r.user(),
              r.path(),
              r.scannedBytes(),
              r.verdictTime().toMillis());
      case FOUND ->
          LOG.warn(
              "Scan FOUND {}: upload of {} by {} refused, nothing was stored ({} bytes scanned)",
              r.signature(),
              r.path(),
              r.user(),
              r.scannedBytes());
      case UNSCANNED ->
          LOG.warn(
              "Stored UNSCANNED: {} {}, because {} (scan.onFailure = store); check the scanner",
              r.user(),
              r.path(),
              r.detail());
      case PARTLY_SCANNED ->
          LOG.warn(
              "Stored PARTLY SCANNED: {} {}: the first {} bytes were scanned clean, the rest was"
                  + " not ({}; scan.onTooLarge = store)",
              r.user(),
              r.path(),
              r.scannedBytes(),
              r.detail());
      case REFUSED_UNAVAILABLE ->
          LOG.warn(
              "Upload of {} by {} refused, nothing was stored: no verdict because {}"
                  + " (scan.onFailure = refuse); check the scanner",
              r.path(),
              r.user(),
              r.detail());
      case REFUSED_TOO_LARGE ->
          LOG.info(
              "Upload of {} by {} refused, nothing was stored: {} (scan.onTooLarge = refuse)",
              r.path(),
              r.user(),
              r.detail());
    }
  }
}
