package dev.dropzone.gateway.ftp;

import dev.dropzone.gateway.ftp.connection.DroppedConnections;
import dev.dropzone.gateway.ftp.data.DataConnections;
import dev.dropzone.gateway.ftp.events.FtpEventListener;
import dev.dropzone.gateway.ftp.events.SessionEvents;
import dev.dropzone.gateway.ftp.tls.TlsConfiguration;
import dev.dropzone.gateway.ftp.tls.TlsFailures;
import java.util.function.Supplier;
import org.apache.ftpserver.impl.FtpServerContext;
import org.apache.ftpserver.ipfilter.SessionFilter;
import org.apache.mina.core.session.IoSession;

/**
 * Prepares each new control connection before MINA's FTP handler sees it: implicit TLS with a TLS
 * context of the connection's own, Dropzone's data connection in place of MINA's, FEAT before
 * login, the event seam ({@link SessionEvents}), and one log line instead of MINA's stack traces
 * when TLS fails or the client drops the connection; then hands it to the admission filter. MINA's
 * session filter hook is the one place that sees every new session first.
 */
final class SessionSetup implements SessionFilter {

  /** Name MINA's codec filter has in every session's chain. */
  private static final String MINA_CODEC = "codec";

  private static final TlsFailures TLS_FAILURES = new TlsFailures();
  private static final DroppedConnections DROPPED = new DroppedConnections();

  private final SessionFilter next;
  private final DataConnections data;
  private final TlsConfiguration implicitTls;
  private final FeaturesBeforeLogin features;
  private final Supplier<FtpServerContext> context;
  private final FtpEventListener events;

  /**
   * @param implicitTls the TLS to start at once (implicit FTPS listener), or null
   * @param events where the session's events go
   */
  SessionSetup(
      SessionFilter next,
      DataConnections data,
      TlsConfiguration implicitTls,
      FeaturesBeforeLogin features,
      Supplier<FtpServerContext> context,
      FtpEventListener events) {
    this.next = next;
    this.data = data;
    this.implicitTls = implicitTls;
    this.features = features;
    this.context = context;
    this.events = events;
  }

  @Override
  public boolean accept(IoSession session) {
    SessionEvents.attach(session, events);
    if (implicitTls != null) {
      implicitTls.startImplicitTls(session);
    }
    data.attach(session, context.get(), implicitTls != null);
    session.getFilterChain().addAfter(MINA_CODEC, "dropzoneFeatures", features);
    session.getFilterChain().addAfter(MINA_CODEC, "dropzoneTlsFailures", TLS_FAILURES);
    session.getFilterChain().addAfter(MINA_CODEC, DroppedConnections.NAME, DROPPED);
    return next.accept(session);
  }
}
