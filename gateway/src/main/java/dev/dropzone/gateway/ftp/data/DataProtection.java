package dev.dropzone.gateway.ftp.data;

import java.io.IOException;
import java.net.Socket;
import org.apache.mina.core.session.IoSession;

/** Protects a data connection with the TLS of its control connection (PROT P). */
@FunctionalInterface
public interface DataProtection {

  /**
   * Runs the TLS handshake on {@code raw} as the server, and checks it against {@code control}'s
   * TLS session.
   *
   * @return the protected socket; closing it ends TLS properly
   * @throws DataConnectionRefusedException when the handshake fails or is refused, saying why;
   *     {@code raw} is closed then
   */
  Socket protect(Socket raw, IoSession control) throws IOException;
}
