package dev.dropzone.gateway.ftp.connection;

import java.io.IOException;
import javax.net.ssl.SSLException;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a control connection that the client reset or dropped without an ERROR and two stack traces.
 * A client killed, a NAT entry expired or a raw socket closed with a reset is ordinary network
 * life; MINA's FTP handler logged each as "Exception caught, closing session" at ERROR, and its
 * logging filter the same trace again at WARN: some 35 lines per connection, which buried real
 * errors and let a client that connects and resets in a loop write kilobytes of log per connection.
 * Such failures are logged here at DEBUG and the session is closed, as the handler would have
 * closed it; the audit log still records the end ({@link EmptySessions}). TLS failures go on to
 * their own filter, which logs each as one line.
 */
public final class DroppedConnections extends IoFilterAdapter {

  /** Name in the session's filter chain. */
  public static final String NAME = "dropzoneDroppedConnections";

  private static final Logger LOG = LoggerFactory.getLogger(DroppedConnections.class);

  @Override
  public void exceptionCaught(NextFilter next, IoSession session, Throwable cause)
      throws Exception {
    if (!(cause instanceof IOException) || cause instanceof SSLException) {
      next.exceptionCaught(session, cause);
      return;
    }
    LOG.debug(
        "Control connection of {} broke, closed it: {}",
        AdmissionFilter.address(session).getHostAddress(),
        cause.toString());
    session.closeNow();
  }
}
