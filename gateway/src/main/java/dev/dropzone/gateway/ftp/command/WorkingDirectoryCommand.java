package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.ftp.fs.StoreView;
import java.io.IOException;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;

/** PWD and CDUP: commands on the working directory that take no argument. */
final class WorkingDirectoryCommand extends StoreCommand {

  /** What the command does with the user's view. */
  @FunctionalInterface
  interface Action {
    FtpReply apply(FtpIoSession session, StoreView view) throws IOException;
  }

  private final Action action;

  WorkingDirectoryCommand(Action action) {
    this.action = action;
  }

  @Override
  protected void run(FtpIoSession session, StoreView view, FtpRequest request) throws IOException {
    session.resetState();
    session.write(action.apply(session, view));
  }
}
