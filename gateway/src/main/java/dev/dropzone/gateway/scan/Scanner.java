package dev.dropzone.gateway.scan;

import java.io.IOException;

/** A malware scanner that takes a file as a stream. */
interface Scanner extends AutoCloseable {

  /**
   * Starts scanning one file.
   *
   * @throws IOException when the scanner cannot be reached or has no capacity left
   */
  Scan begin() throws IOException;

  /** Where the scanner is, for log lines. */
  String describe();

  @Override
  void close();

  /**
   * One file being scanned: its bytes in order, then the verdict. Every failure is an {@link
   * IOException} meaning "no verdict"; a verdict is never guessed.
   */
  interface Scan {

    void write(byte[] bytes, int offset, int length) throws IOException;

    /** Ends the file and waits for the verdict; the scan is over afterwards, whatever happens. */
    Verdict finish() throws IOException;

    /** Abandons the scan; idempotent, a no-op after {@link #finish()}, callable from any thread. */
    void cancel();
  }
}
