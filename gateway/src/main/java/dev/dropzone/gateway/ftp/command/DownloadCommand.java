package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.command.ReplyMapper.Phase;
import dev.dropzone.gateway.ftp.command.TransferRegistry.Running;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.InputStream;
import org.apache.ftpserver.ftplet.DataConnection;
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

  private final TransferRegistry transfers;

  DownloadCommand(TransferRegistry transfers) {
    this.transfers = transfers;
  }

  @Override
  protected void run(FtpIoSession session, StoreView view, FtpRequest request) throws IOException {
    try {
      String argument = requireArgument(session, request);
      if (argument == null) {
        return;
      }
      VirtualPath path = view.resolve(argument);
      view.require(Permission.READ);
      if (!dataPrepared(session)) {
        return;
      }
      long offset = session.getFileOffset();
      try (InputStream in = view.tree().openRead(path, offset)) {
        Running transfer = transfers.begin(session);
        try {
          send(session, view, request, path, offset, in, transfer);
        } finally {
          transfers.end(transfer);
        }
      }
    } finally {
      finish(session);
    }
  }

  private static void send(
      FtpIoSession session,
      StoreView view,
      FtpRequest request,
      VirtualPath path,
      long offset,
      InputStream in,
      Running transfer) {
    DataConnection data =
        open(
            session,
            "Opening data connection for " + path + (offset > 0 ? " from byte " + offset : ""));
    if (data == null) {
      return;
    }
    DownloadSource source = new DownloadSource(in);
    long sent;
    try {
      sent = BulkCopy.toClient(session, data, source);
    } catch (IOException e) {
      StoreException cause = source.failure.causeOf(e);
      if (cause != null) {
        fail(session, view, request, cause, Phase.TRANSFER);
        return;
      }
      String why = transfer.aborted() ? "server is shutting down" : "data connection closed";
      LOG.info(
          "{} download of {} ended early: {} ({})",
          view.account().username(),
          path,
          why,
          e.getMessage());
      send(session, ReplyMapper.reply(426, "Transfer aborted: " + why));
      return;
    }
    LOG.info(
        "{} downloaded {} ({} bytes from offset {})",
        view.account().username(),
        path,
        sent,
        offset);
    send(session, ReplyMapper.reply(226, "Transfer complete: " + sent + " bytes sent"));
  }
}
