package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.command.ReplyMapper.Phase;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.gateway.ftp.transfer.DataLink;
import dev.dropzone.gateway.ftp.transfer.Transfer;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.InputStream;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RETR, with REST offsets served by the store's ranged reads. Replaces MINA's, which answers any
 * failure while streaming with a generic 551: here a tampered object ends the transfer with "426
 * Transfer aborted: integrity check failed" and a key-service outage with 451, and the file is
 * opened (key resolved, header authenticated) before the data connection, so such failures come
 * before a single byte moved.
 */
final class DownloadCommand extends DataCommand {

  private static final Logger LOG = LoggerFactory.getLogger(DownloadCommand.class);

  DownloadCommand(TransferRegistry transfers) {
    super(transfers);
  }

  @Override
  protected Planned plan(FtpIoSession session, StoreView view, FtpRequest request)
      throws IOException {
    String argument = requireArgument(session, request);
    if (argument == null) {
      return null;
    }
    VirtualPath path = view.resolve(argument);
    view.require(Permission.READ);
    if (!dataPrepared(session)) {
      return null;
    }
    long offset = session.getFileOffset();
    return new Planned(
        "download of " + path,
        transfer -> {
          transfer.file(path.toString(), offset);
          try (InputStream in = view.tree().openRead(path, offset)) {
            send(session, view, request, path, offset, in, transfer);
          }
        });
  }

  private void send(
      FtpIoSession session,
      StoreView view,
      FtpRequest request,
      VirtualPath path,
      long offset,
      InputStream in,
      Transfer transfer) {
    DataLink link =
        open(
            session,
            transfer,
            "Opening data connection for " + path + (offset > 0 ? " from byte " + offset : ""));
    if (link == null) {
      answerCut(session, transfer, "Transfer aborted");
      return;
    }
    long sent;
    try {
      sent = link.send(in);
    } catch (IOException e) {
      sendFailed(session, view, request, link, transfer, e, Phase.TRANSFER, "Transfer aborted");
      return;
    }
    LOG.info("{} downloaded {} ({} bytes from offset {})", transfer.user(), path, sent, offset);
    send(session, ReplyMapper.reply(226, "Transfer complete: " + sent + " bytes sent"));
  }
}
