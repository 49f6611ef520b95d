package dev.dropzone.gateway.ftp.connection;

import org.apache.ftpserver.ipfilter.SessionFilter;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.SocketSessionConfig;

/**
 * MINA FtpServer builds each listener's filter chain itself and offers no way to add filters or
 * change the codec; its session filter hook is the one place that sees every new session before the
 * FTP handler does. Dropzone uses it to put its {@link AdmissionFilter} and {@link
 * CommandLineCodec} into the session's chain and to set the socket options MINA leaves at their
 * defaults, and never rejects here (refusals are answered with a 421 by the admission filter, which
 * a plain reject could not send).
 */
public final class SessionAdmission implements SessionFilter {

  /** Names MINA's NioListener gives its filters. */
  private static final String MINA_SESSION_FILTER = "sessionFilter";

  private static final String MINA_CODEC = "codec";

  private final AdmissionFilter admission;
  private final ProtocolCodecFilter codec;

  public SessionAdmission(AdmissionFilter admission, CommandLineCodec codec) {
    this.admission = admission;
    this.codec = new ProtocolCodecFilter(codec);
  }

  @Override
  public boolean accept(IoSession session) {
    IoFilterChain chain = session.getFilterChain();
    chain.addAfter(MINA_SESSION_FILTER, "dropzoneAdmission", admission);
    chain.replace(MINA_CODEC, codec);
    if (session.getConfig() instanceof SocketSessionConfig socket) {
      // Without it every transfer costs a delayed-ACK timeout (~40 ms on Linux): the 226 reply
      // waits in Nagle's buffer until the client acknowledges the 150 sent just before it, and a
      // client waiting for the 226 has nothing to send that would carry the ACK.
      socket.setTcpNoDelay(true);
    }
    return true;
  }
}
