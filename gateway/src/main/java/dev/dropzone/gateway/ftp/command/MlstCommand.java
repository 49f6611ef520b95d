package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.control.RequestLines;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.IOException;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;

/** MLST: the facts of one entry on the control connection (RFC 3659 §7). */
final class MlstCommand extends StoreCommand {

  @Override
  protected void run(FtpIoSession session, StoreView view, FtpRequest request) throws IOException {
    String argument = RequestLines.argument(session, request);
    VirtualPath path = argument == null || argument.isBlank() ? view.cwd() : view.resolve(argument);
    view.require(Permission.LIST);
    FileInfo info;
    try (StorageDeadline.Scope deadline = view.commandDeadline()) {
      info = view.stat(path);
    }
    session.write(
        new DefaultFtpReply(
            250,
            new String[] {
              "Listing " + path, " " + ListingFormat.facts(info, view.account()) + " " + path, "End"
            }));
  }
}
