package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.store.FileDigests;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * HASH (draft-bryan-ftpext-hash): the SHA-256 of a file's content, as the store computed it while
 * the upload streamed and keeps it sealed with the file's key; the file itself is not read. Files
 * stored before digests were kept have none, and the reply says so instead of reading them whole on
 * the control connection. SHA-256 is the only algorithm, so the only one OPTS HASH selects.
 */
final class HashCommand extends StoreCommand {

  static final String ALGORITHM = "SHA-256";

  @Override
  protected void run(FtpIoSession session, StoreView view, FtpRequest request) throws IOException {
    String argument = requireArgument(session, request);
    if (argument == null) {
      return;
    }
    VirtualPath path = view.resolve(argument);
    view.require(Permission.READ);
    FileInfo info = view.stat(path);
    if (info.directory()) {
      throw new StoreException(Reason.NOT_A_FILE, "Not a plain file: " + path);
    }
    Optional<byte[]> digest = view.ability(FileDigests.class).digest(path);
    if (digest.isEmpty()) {
      session.write(
          ReplyMapper.reply(
              550,
              "No "
                  + ALGORITHM
                  + " is recorded for "
                  + path
                  + ": it was stored before digests were kept; upload it again to get one,"
                  + " or download it to check it"));
      return;
    }
    session.write(
        ReplyMapper.reply(
            213,
            ALGORITHM
                + " 0-"
                + info.size()
                + " "
                + HexFormat.of().formatHex(digest.get())
                + " "
                + path));
  }
}
