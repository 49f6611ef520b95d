package dev.dropzone.gateway.ftp;

import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.kek.DataKeys;
import dev.dropzone.store.EncryptedStore;
import java.io.IOException;

/**
 * The running FTP/FTPS server: MINA FtpServer wired onto the encrypted store. (skeleton: the FTP
 * work item replaces the body, keeping these signatures)
 */
public final class FtpGateway implements AutoCloseable {

  private FtpGateway() {}

  /** Starts listening; returns once the control (and implicit FTPS) ports are bound. */
  public static FtpGateway start(
      FtpSettings settings, EncryptedStore store, DataKeys keys, Authenticator authenticator)
      throws IOException {
    throw new UnsupportedOperationException("skeleton: FTP work item");
  }

  /** The control port actually bound (useful when configured as 0). */
  public int port() {
    throw new UnsupportedOperationException("skeleton: FTP work item");
  }

  /** The implicit FTPS port actually bound, or -1 when implicit FTPS is off. */
  public int implicitTlsPort() {
    throw new UnsupportedOperationException("skeleton: FTP work item");
  }

  /**
   * Graceful stop: refuses new connections, lets running transfers finish for up to {@link
   * FtpSettings#shutdownGrace()}, then aborts the rest so no upload is left half-written.
   */
  @Override
  public void close() {
    throw new UnsupportedOperationException("skeleton: FTP work item");
  }
}
