package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.IOException;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;

/** A command on one path that needs no data connection: DELE, MKD, RMD, SIZE, MDTM, CWD, RNFR… */
final class PathCommand extends StoreCommand {

  /** What the command does once the path is resolved and the permission checked. */
  @FunctionalInterface
  interface Action {
    FtpReply apply(FtpIoSession session, StoreView view, VirtualPath path) throws IOException;
  }

  private final Permission permission;
  private final Action action;

  /**
   * @param permission required permission, or null when any logged-in user may run it
   */
  PathCommand(Permission permission, Action action) {
    this.permission = permission;
    this.action = action;
  }

  @Override
  protected void run(FtpIoSession session, StoreView view, FtpRequest request) throws IOException {
    String argument = requireArgument(session, request);
    if (argument == null) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    if (permission != null) {
      view.require(permission);
    }
    try (StorageDeadline.Scope deadline = view.commandDeadline()) {
      session.write(action.apply(session, view, path));
    }
  }
}
