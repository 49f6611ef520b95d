package dev.dropzone.gateway.ftp.login;

import java.io.IOException;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.impl.REIN;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * REIN logs the session out: it gives back its place among its user's sessions ({@code
 * maxSessions}) and is no longer one of the logged-in sessions whose user is checked, then MINA's
 * REIN resets it.
 */
public final class ReinitializeCommand extends AbstractCommand {

  private final UserSessions sessions;
  private final Command reinitialize = new REIN();

  public ReinitializeCommand(UserSessions sessions) {
    this.sessions = sessions;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    sessions.close(session);
    reinitialize.execute(session, context, request);
  }
}
