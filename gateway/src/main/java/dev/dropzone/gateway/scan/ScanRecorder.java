package dev.dropzone.gateway.scan;

/**
 * Where scan outcomes go. Today that is the log ({@link ScanLog}); metrics and an audit log can
 * implement this too and be given to {@link UploadScanning}.
 */
@FunctionalInterface
public interface ScanRecorder {

  /** Called once per scanned upload, on its transfer thread, after its fate is settled. */
  void record(ScanRecord record);
}
