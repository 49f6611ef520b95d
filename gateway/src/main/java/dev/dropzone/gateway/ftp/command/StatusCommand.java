package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.control.ControlQueue;
import dev.dropzone.gateway.ftp.control.RequestLines;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.gateway.ftp.transfer.Transfer;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import dev.dropzone.gateway.logging.LogText;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.stream.Stream;
import org.apache.ftpserver.ftplet.DataType;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.mina.core.future.WriteFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STAT (RFC 959 §4.1.3). During a transfer: how far it got. Without an argument: the session's
 * status. With a path: its LIST lines over the control connection, which needs the {@code list}
 * permission like LIST does, and is streamed page by page like LIST (MINA's STAT built the whole
 * directory as one string and checked no permission, so a write-only user could read every name,
 * size and date).
 */
final class StatusCommand extends StoreCommand {

  private static final Logger LOG = LoggerFactory.getLogger(StatusCommand.class);

  /** Lines per write: the next batch is produced only once the client has taken this one. */
  static final int BATCH = 256;

  private final TransferRegistry transfers;

  StatusCommand(TransferRegistry transfers) {
    this.transfers = transfers;
  }

  @Override
  protected void run(FtpIoSession session, StoreView view, FtpRequest request) throws IOException {
    Transfer running = TransferRegistry.of(session);
    if (running != null) {
      session.write(
          ReplyMapper.reply(
              213,
              "Status: "
                  + running.what()
                  + " in progress, "
                  + running.moved()
                  + " bytes moved so far"));
      return;
    }
    session.resetState();
    String target = ListingCommand.target(RequestLines.argument(session, request));
    if (target == null) {
      session.write(sessionStatus(session, view));
      return;
    }
    VirtualPath path = view.resolve(target);
    view.require(Permission.LIST);
    DataCommand.start(
        transfers,
        session,
        view,
        request,
        new DataCommand.Planned(
            "status of " + path, transfer -> list(session, view, path, transfer), true),
        () -> {});
  }

  private static FtpReply sessionStatus(FtpIoSession session, StoreView view) {
    String peer =
        session.getRemoteAddress() instanceof InetSocketAddress address
            ? address.getAddress().getHostAddress()
            : "?";
    return new Lines(
        211,
        "211-Dropzone FTP server status:\r\n"
            + " Connected from "
            + peer
            + "\r\n Logged in as "
            + ReplyMapper.oneLine(view.account().username())
            + "\r\n TYPE: "
            + (session.getDataType() == DataType.ASCII ? "ASCII" : "BINARY")
            + ", STRUcture: File, MODE: "
            + (session.getDataConnection().isZipMode() ? "Deflate (Z)" : "Stream")
            + (session.isSecure() ? "\r\n Control connection protected by TLS" : "")
            + "\r\n211 End of status\r\n");
  }

  /**
   * The LIST lines of {@code path} as a 212 (directory) or 213 (file) multi-line reply, written in
   * batches so a large directory never sits in memory whole and a client that stops reading makes
   * the gateway hold at most one batch. Names are made single-line, so a stored name cannot end the
   * reply early or forge another.
   */
  private void list(FtpIoSession session, StoreView view, VirtualPath path, Transfer transfer)
      throws IOException {
    FileInfo info = view.stat(path);
    int code = info.directory() ? 212 : 213;
    try (Stream<FileInfo> entries = info.directory() ? view.tree().list(path) : Stream.of(info)) {
      Iterator<FileInfo> lines = entries.iterator();
      StringBuilder batch =
          new StringBuilder(code + "-Status of " + ReplyMapper.oneLine(path.toString()) + ":\r\n");
      int n = 0;
      boolean started = false;
      try {
        while (lines.hasNext()) {
          if (transfer.cut() != null) {
            write(session, new Lines(code, batch.append(code).append(" Status aborted\r\n")), true);
            return;
          }
          batch
              .append(' ')
              .append(ReplyMapper.oneLine(ListingFormat.LIST.line(lines.next(), view.account())))
              .append("\r\n");
          if (++n == BATCH) {
            if (!write(session, new Lines(code, batch), false)) {
              return;
            }
            started = true;
            batch = new StringBuilder();
            n = 0;
          }
        }
      } catch (UncheckedIOException e) {
        if (!started || !(e.getCause() instanceof StoreException cause)) {
          throw e;
        }
        // Part of a multi-line reply went out: only a line with its own code can end it, and a
        // plain 451 would leave the client waiting for that line, every later reply one behind.
        ReplyMapper.Mapped mapped =
            ReplyMapper.map(cause, ReplyMapper.Phase.COMMAND, view::forClient);
        LOG.warn(
            "STAT of {} for {} ended early: {}; {}",
            LogText.of(path.toString()),
            LogText.of(view.account().username()),
            cause.getMessage(),
            mapped.advice());
        batch
            .append(code)
            .append(" Status incomplete: ")
            .append(ReplyMapper.oneLine(mapped.reply().getMessage()))
            .append("\r\n");
        write(session, new Lines(code, batch), true);
        return;
      }
      write(session, new Lines(code, batch.append(code).append(" End of status\r\n")), true);
    }
  }

  /**
   * Writes and waits until the client took it; a client that reads nothing for the data idle
   * timeout is disconnected.
   *
   * @param last whether this part ends the reply (and so the transfer)
   */
  private boolean write(FtpIoSession session, FtpReply part, boolean last) {
    long timeout = transfers.dataIdleTimeout().toMillis();
    WriteFuture written = last ? ControlQueue.answer(session, part) : session.write(part);
    if (written.awaitUninterruptibly(timeout)) {
      // Not written: the client is gone, and the rest of the directory is not worth reading.
      return written.isWritten();
    }
    session.closeNow();
    return false;
  }

  /** Raw lines of a multi-line reply, as the reply encoder writes them (its {@code toString}). */
  private record Lines(int code, CharSequence text) implements FtpReply {
    @Override
    public int getCode() {
      return code;
    }

    @Override
    public String getMessage() {
      return text.toString();
    }

    @Override
    public long getSentTime() {
      return 0;
    }

    @Override
    public boolean isPositive() {
      return code < 400;
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
