package dev.dropzone.gateway.ftp.tls;

import dev.dropzone.gateway.ftp.data.DataConnectionRefusedException;
import dev.dropzone.gateway.ftp.data.DataProtection;
import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on data connections (PROT P) with the control connection's TLS context, and, unless {@code
 * ftp.tls.requireSessionReuse} is off, only when the data connection resumed the control
 * connection's TLS session (what vsftpd calls {@code require_ssl_reuse}). The passive port only
 * checks the client's address, which a host behind the same NAT shares; resuming the session needs
 * its secrets, which only the real client has.
 */
public final class TlsDataProtection implements DataProtection {

  private static final Logger LOG = LoggerFactory.getLogger(TlsDataProtection.class);

  private final TlsConfiguration tls;

  public TlsDataProtection(TlsConfiguration tls) {
    this.tls = tls;
  }

  @Override
  public Socket protect(Socket raw, IoSession control) throws IOException {
    ConnectionTls connection =
        control.getAttribute(ConnectionTls.ATTRIBUTE) instanceof ConnectionTls c ? c : null;
    SSLSession controlSession =
        control.getAttribute(SslFilter.SSL_SECURED) instanceof SSLSession s ? s : null;
    if (connection == null || controlSession == null) {
      raw.close();
      throw new DataConnectionRefusedException(
          "Protected data connections (PROT P) need TLS on the control connection: send AUTH TLS"
              + " first");
    }
    if (controlSession.getProtocol().equals("TLSv1.3")) {
      // TLS 1.2 sends its ticket inside the handshake, where every client reads it; and a JDK
      // that announced one in its ServerHello but sends none breaks GnuTLS's handshake.
      connection.stopNewTickets();
    }
    SSLSocket socket =
        (SSLSocket)
            connection
                .context()
                .getSocketFactory()
                .createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), true);
    socket.setUseClientMode(false);
    socket.setEnabledProtocols(tls.protocols());
    socket.setEnabledCipherSuites(tls.cipherSuites());
    long handshakeStart = System.currentTimeMillis();
    try {
      socket.startHandshake();
    } catch (IOException e) {
      raw.close();
      throw new DataConnectionRefusedException(
          "TLS handshake on the data connection failed ("
              + e.getMessage()
              + "); the client must offer TLS 1.2 or 1.3 with a forward-secret AEAD cipher",
          e);
    }
    SSLSession data = socket.getSession();
    if (tls.requireSessionReuse() && !resumes(data, controlSession, handshakeStart)) {
      data.invalidate();
      raw.close();
      LOG.warn(
          "Refused a protected data connection from {}: it did not resume the control"
              + " connection's TLS session. Either the client never reuses TLS sessions (Python's"
              + " ftplib does not; set ftp.tls.requireSessionReuse: false to let such clients"
              + " in) or another host sharing the client's address tried to take the transfer",
          raw.getInetAddress().getHostAddress());
      throw new DataConnectionRefusedException(
          "Data connection refused: it must resume this control connection's TLS session (TLS"
              + " session reuse is required here; clients that never reuse sessions, such as"
              + " Python's ftplib, are refused)");
    }
    return new TlsDataSocket(socket, raw);
  }

  /**
   * Whether {@code data} is a resumption of {@code control}. Only this connection's TLS context can
   * resume a session at all (see {@link ConnectionTls}), so the question is whether the handshake
   * resumed a session or made a new one. The JDK carries a session's creation time into its
   * resumptions, while a new session is created during its handshake: a resumption has the control
   * session's creation time, from before this handshake began. (Session ids do not tell: on a TLS
   * 1.2 ticket resumption the JDK takes the id the client proposes.)
   */
  static boolean resumes(SSLSession data, SSLSession control, long handshakeStart) {
    return data.getCreationTime() == control.getCreationTime()
        && data.getCreationTime() < handshakeStart
        && data.getProtocol().equals(control.getProtocol());
  }
}
