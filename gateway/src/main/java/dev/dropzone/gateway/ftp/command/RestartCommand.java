package dev.dropzone.gateway.ftp.command;

import java.io.IOException;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/** REST as MINA has it, but a negative marker is refused in words that say what REST takes. */
final class RestartCommand implements Command {

  private final Command mina;

  RestartCommand(Command mina) {
    this.mina = mina;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    String argument = request.getArgument();
    if (argument != null && argument.strip().startsWith("-")) {
      session.resetState();
      session.write(
          ReplyMapper.reply(
              501,
              "REST takes the byte offset to resume from, 0 or more, not " + argument.strip()));
      return;
    }
    mina.execute(session, context, request);
  }
}
