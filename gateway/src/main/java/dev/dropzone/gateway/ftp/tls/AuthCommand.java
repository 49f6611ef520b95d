package dev.dropzone.gateway.ftp.tls;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import java.util.Locale;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * AUTH TLS (RFC 4217): starts TLS on the control connection with a TLS context of its own ({@link
 * ConnectionTls}), which its protected data connections must then resume. MINA's AUTH shares one
 * context between all connections.
 */
public final class AuthCommand extends AbstractCommand {

  private final TlsConfiguration tls;

  /**
   * @param tls the gateway's TLS, or null where none is configured: then AUTH is refused as not
   *     available (MINA's answer, {@code 431 Service is unavailable}, reads like an outage)
   */
  public AuthCommand(TlsConfiguration tls) {
    this.tls = tls;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    if (tls == null) {
      session.write(ReplyMapper.reply(502, "TLS is not configured on this server"));
      return;
    }
    String argument = request.getArgument();
    if (argument == null) {
      session.write(ReplyMapper.reply(501, "Send AUTH TLS"));
      return;
    }
    if (session.isSecure()) {
      session.write(ReplyMapper.reply(534, "TLS is already on for this connection"));
      return;
    }
    String mechanism = argument.trim().toUpperCase(Locale.ROOT);
    boolean protectData = mechanism.equals("SSL") || mechanism.equals("TLS-P");
    if (!protectData && !mechanism.equals("TLS") && !mechanism.equals("TLS-C")) {
      session.write(ReplyMapper.reply(504, "Only AUTH TLS is supported"));
      return;
    }
    ConnectionTls connection = tls.newConnection();
    session.setAttribute(ConnectionTls.ATTRIBUTE, connection);
    FtpReply reply = ReplyMapper.reply(234, "AUTH " + mechanism + " okay; starting TLS");
    // The reply goes out in clear; the handshake follows it.
    session.getFilterChain().addFirst("sslSessionFilter", connection.controlFilter(reply));
    if (protectData) {
      session.getDataConnection().setSecure(true);
    }
    session.write(reply);
  }
}
