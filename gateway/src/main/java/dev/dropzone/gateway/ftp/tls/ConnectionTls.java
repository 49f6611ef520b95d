package dev.dropzone.gateway.ftp.tls;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.apache.mina.core.filterchain.IoFilter.NextFilter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.filter.ssl.SslFilter;

/**
 * The TLS of one control connection and the data connections it opens, with a TLS context of its
 * own:
 *
 * <ul>
 *   <li>the context's session cache and ticket keys hold this connection's TLS session only, so a
 *       data connection that resumes a session from this context resumed this control connection's,
 *       never another client's;
 *   <li>its ticket policy can change once the control connection has its ticket: TLS 1.3 data
 *       connections then get none. The JDK sends a TLS 1.3 session ticket after every handshake,
 *       and GnuTLS clients (lftp) close an upload's data connection without reading it; unread data
 *       makes the client's kernel reset the connection, and the reset loses the end of the upload.
 *       The JDK has no per-connection switch for tickets, only this per-context one.
 * </ul>
 */
final class ConnectionTls {

  /** Session attribute holding the control connection's {@code ConnectionTls}. */
  static final String ATTRIBUTE = "dropzone.tls";

  /**
   * A session lifetime above the 7-day ticket limit (RFC 8446 section 4.6.1): the JDK then issues
   * no more tickets from this context; sessions and tickets already issued stay valid.
   */
  private static final int NO_MORE_TICKETS = (int) Duration.ofDays(8).toSeconds();

  private final SSLContext context;
  private final TlsConfiguration configuration;
  private final AtomicBoolean ticketsStopped = new AtomicBoolean();

  ConnectionTls(SSLContext context, TlsConfiguration configuration) {
    this.context = context;
    this.configuration = configuration;
  }

  SSLContext context() {
    return context;
  }

  /**
   * The filter that runs TLS on the control connection.
   *
   * @param clearReply a reply to let through unencrypted (AUTH's 234), or null
   */
  SslFilter controlFilter(Object clearReply) {
    SslFilter filter =
        new SslFilter(context) {
          @Override
          public void filterWrite(NextFilter next, IoSession session, WriteRequest request)
              throws Exception {
            if (clearReply != null && request.getOriginalMessage() == clearReply) {
              next.filterWrite(session, request);
            } else {
              super.filterWrite(next, session, request);
            }
          }
        };
    filter.setEnabledProtocols(configuration.protocols());
    filter.setEnabledCipherSuites(configuration.cipherSuites());
    return filter;
  }

  /**
   * Called before the first data connection's handshake on TLS 1.3, once the control connection has
   * its ticket.
   */
  void stopNewTickets() {
    if (ticketsStopped.compareAndSet(false, true)) {
      context.getServerSessionContext().setSessionTimeout(NO_MORE_TICKETS);
    }
  }
}
