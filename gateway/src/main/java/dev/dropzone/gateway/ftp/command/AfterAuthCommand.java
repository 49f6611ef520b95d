package dev.dropzone.gateway.ftp.command;

import java.io.IOException;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * PBSZ and PROT, which RFC 4217 makes valid only on a control connection TLS protects. MINA took
 * {@code PROT P} on a plain connection and refused only the data connection after it; the client
 * now learns at once what it has to do first.
 */
final class AfterAuthCommand implements Command {

  private final Command mina;

  AfterAuthCommand(Command mina) {
    this.mina = mina;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    if (session.isSecure()) {
      mina.execute(session, context, request);
      return;
    }
    session.resetState();
    boolean tls = session.getListener().getSslConfiguration() != null;
    session.write(
        ReplyMapper.reply(
            503,
            request.getCommand()
                + " is valid only on a protected connection: "
                + (tls
                    ? "send AUTH TLS first, or connect to the implicit FTPS port"
                    : "this server has no FTPS configured")));
  }
}
