package dev.dropzone.gateway.ftp.tls;

import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRejectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A control connection whose TLS fails (a client that does not trust the certificate, offers no
 * suite or version the gateway accepts, or tries to renegotiate) is closed with one line in the
 * log. MINA would log each such failure at ERROR with a stack trace, twice, as if the gateway were
 * broken; port scanners alone would fill the log.
 */
public final class TlsFailures extends IoFilterAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(TlsFailures.class);

  @Override
  public void exceptionCaught(NextFilter next, IoSession session, Throwable cause)
      throws Exception {
    if (cause instanceof WriteRejectedException && session.isClosing()) {
      return; // a reply to a connection closed here a moment ago
    }
    if (!(cause instanceof SSLException)) {
      next.exceptionCaught(session, cause);
      return;
    }
    if (!session.isClosing()) {
      LOG.info(
          "TLS with {} failed, connection closed: {} (the client's TLS versions, cipher suites or"
              + " trust in the certificate do not match the gateway's)",
          session.getRemoteAddress() instanceof InetSocketAddress address
              ? address.getAddress().getHostAddress()
              : session.getRemoteAddress(),
          cause.getMessage());
    }
    session.closeNow();
  }
}
