package dev.dropzone.gateway.ftp;

import java.io.IOException;
import java.net.Socket;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * Commons Net's FTPS client, made to resume the control connection's TLS session on data
 * connections as curl, lftp and FileZilla do (Commons Net itself never does).
 *
 * <p>The JDK's client looks sessions up by the peer's host and port, and a data connection goes to
 * another port than the control connection. This client layers TLS over a plain data socket that
 * reports the control connection's port, so the lookup finds the control connection's session.
 */
final class ReusingFtpsClient extends FTPSClient {

  private final SSLContext context;

  ReusingFtpsClient(boolean implicit, SSLContext context) {
    super(implicit, context);
    this.context = context;
  }

  @Override
  public void execPROT(String prot) throws IOException {
    super.execPROT(prot);
    if ("P".equals(prot)) {
      // Plain sockets for the data connection; TLS is layered on in _openDataConnection_.
      setSocketFactory(new ControlPortSockets(getRemotePort()));
    }
  }

  @Override
  protected Socket _openDataConnection_(String command, String arg) throws IOException {
    Socket plain = super._openDataConnection_(command, arg);
    if (plain == null || plain instanceof SSLSocket) {
      return plain;
    }
    SSLSocket tls =
        (SSLSocket)
            context
                .getSocketFactory()
                .createSocket(plain, getRemoteAddress().getHostAddress(), plain.getPort(), true);
    tls.setUseClientMode(true);
    tls.startHandshake();
    return tls;
  }

  /** Plain sockets whose {@link Socket#getPort()} is the control connection's port. */
  private static final class ControlPortSockets extends SocketFactory {
    private final int controlPort;

    ControlPortSockets(int controlPort) {
      this.controlPort = controlPort;
    }

    @Override
    public Socket createSocket() {
      return new Socket() {
        @Override
        public int getPort() {
          return isConnected() ? controlPort : 0;
        }
      };
    }

    @Override
    public Socket createSocket(String host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(
        String host, int port, java.net.InetAddress localHost, int localPort) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(java.net.InetAddress host, int port) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Socket createSocket(
        java.net.InetAddress address, int port, java.net.InetAddress localAddress, int localPort) {
      throw new UnsupportedOperationException();
    }
  }
}
