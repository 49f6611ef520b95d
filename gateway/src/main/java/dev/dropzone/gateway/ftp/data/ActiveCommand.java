package dev.dropzone.gateway.ftp.data;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.logging.LogText;
import java.net.InetSocketAddress;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PORT and EPRT: only towards the control connection's own address and unprivileged ports, or not
 * at all; otherwise the server can be made to connect anywhere (FTP bounce).
 */
final class ActiveCommand extends AbstractCommand {

  private static final Logger LOG = LoggerFactory.getLogger(ActiveCommand.class);

  private final boolean extended;
  private final boolean enabled;

  ActiveCommand(boolean extended, boolean enabled) {
    this.extended = extended;
    this.enabled = enabled;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    String name = extended ? "EPRT" : "PORT";
    if (session.containsAttribute(PassiveCommand.EPSV_ONLY)) {
      session.write(ReplyMapper.reply(503, PassiveCommand.EPSV_ONLY_REFUSAL));
      return;
    }
    if (!enabled) {
      refuse(session, 502, "Active mode is disabled on this server; use passive mode (PASV/EPSV)");
      return;
    }
    InetSocketAddress target;
    try {
      target =
          extended
              ? ActiveTarget.eprt(request.getArgument())
              : ActiveTarget.port(request.getArgument());
    } catch (IllegalArgumentException e) {
      refuse(session, 501, name + " argument is malformed: " + e.getMessage());
      return;
    }
    if (!target
        .getAddress()
        .equals(((InetSocketAddress) session.getRemoteAddress()).getAddress())) {
      refuse(session, 504, name + " refused: data connections go only to your own address");
      return;
    }
    if (target.getPort() < 1024) {
      refuse(session, 504, name + " refused: port " + target.getPort() + " is below 1024");
      return;
    }
    session.getDataConnection().initActiveDataConnection(target);
    session.write(ReplyMapper.reply(200, name + " command successful"));
  }

  private static void refuse(FtpIoSession session, int code, String reason) {
    // The reason may quote the client's argument.
    LOG.info(
        "Refused active mode for {}: {}",
        ((InetSocketAddress) session.getRemoteAddress()).getAddress().getHostAddress(),
        LogText.of(reason));
    session.write(ReplyMapper.reply(code, reason));
  }
}
