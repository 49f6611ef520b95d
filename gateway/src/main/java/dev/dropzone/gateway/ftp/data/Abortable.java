package dev.dropzone.gateway.ftp.data;

/**
 * A data socket whose normal close takes part in a protocol (TLS's close_notify) and so can wait on
 * a stalled peer; {@link #abort()} drops the connection at once instead.
 */
public interface Abortable {

  /** Closes the underlying connection now, interrupting any blocked read or write. */
  void abort();
}
