package dev.dropzone.gateway.ftp.data;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.apache.ftpserver.DataConnectionException;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PASV and EPSV: open this session's passive listener (closing any earlier one) and announce it.
 */
final class PassiveCommand extends AbstractCommand {

  private static final Logger LOG = LoggerFactory.getLogger(PassiveCommand.class);

  /**
   * Set by {@code EPSV ALL}: from then on the client sets up data connections with EPSV only (RFC
   * 2428), and a NAT in between may rely on it; PASV, PORT and EPRT are refused.
   */
  static final String EPSV_ONLY = "dropzone.epsv-all";

  static final String EPSV_ONLY_REFUSAL =
      "EPSV ALL was sent on this connection: set up data connections with EPSV";

  private final boolean extended;

  PassiveCommand(boolean extended) {
    this.extended = extended;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException {
    session.resetState();
    String argument = request.getArgument();
    if (extended && argument != null && argument.equalsIgnoreCase("ALL")) {
      session.setAttribute(EPSV_ONLY, Boolean.TRUE);
      session.write(ReplyMapper.reply(200, "EPSV ALL okay"));
      return;
    }
    if (!extended && session.containsAttribute(EPSV_ONLY)) {
      session.write(ReplyMapper.reply(503, EPSV_ONLY_REFUSAL));
      return;
    }
    // Either protocol number is answered, whatever the control connection's family: the reply
    // names only a port, on the address the client already reaches, and a client behind NAT64 or
    // a dual-stack proxy asks for the family it sees, not the one this server sees.
    if (extended && argument != null && !argument.equals("1") && !argument.equals("2")) {
      session.write(ReplyMapper.reply(522, "Network protocol not supported, use (1,2)"));
      return;
    }
    InetSocketAddress listening;
    try {
      listening = session.getDataConnection().initPassiveDataConnection();
    } catch (DataConnectionException e) {
      LOG.warn("PASV/EPSV from {} refused: {}", session.getRemoteAddress(), e.getMessage());
      session.write(ReplyMapper.reply(425, e.getMessage()));
      return;
    }
    if (extended) {
      session.write(
          ReplyMapper.reply(
              229, "Entering Extended Passive Mode (|||" + listening.getPort() + "|)"));
      return;
    }
    InetAddress announced;
    try {
      announced = announced(session, listening.getAddress());
    } catch (UnknownHostException e) {
      session.getDataConnection().closeDataConnection();
      LOG.warn(
          "PASV from {} refused: ftp.passiveAddress '{}' does not resolve ({}); set it to this"
              + " server's public IP address or a name DNS resolves, or use EPSV clients",
          session.getRemoteAddress(),
          e.getMessage(),
          e.getClass().getSimpleName());
      session.write(
          ReplyMapper.reply(
              425, "Cannot enter passive mode: the server's address is misconfigured"));
      return;
    }
    if (!(announced instanceof Inet4Address)) {
      session.getDataConnection().closeDataConnection();
      session.write(ReplyMapper.reply(425, "PASV cannot describe an IPv6 address; use EPSV"));
      return;
    }
    byte[] a = announced.getAddress();
    int port = listening.getPort();
    session.write(
        ReplyMapper.reply(
            227,
            // Concatenated: String.format looks up the locale's digits on every call.
            "Entering Passive Mode ("
                + (a[0] & 0xff)
                + ','
                + (a[1] & 0xff)
                + ','
                + (a[2] & 0xff)
                + ','
                + (a[3] & 0xff)
                + ','
                + (port >> 8)
                + ','
                + (port & 0xff)
                + ')'));
  }

  /** The configured public address (behind NAT), or the address the listener is bound to. */
  private static InetAddress announced(FtpIoSession session, InetAddress bound) throws IOException {
    String external =
        session.getListener().getDataConnectionConfiguration().getPassiveExernalAddress();
    return external == null ? bound : InetAddress.getByName(external);
  }
}
