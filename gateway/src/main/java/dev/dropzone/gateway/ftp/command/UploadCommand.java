package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.command.ReplyMapper.Phase;
import dev.dropzone.gateway.ftp.command.TransferRegistry.Running;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.gateway.ftp.quota.UploadQuota;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STOR, APPE and STOU. MINA's versions close the file's stream in a {@code finally}, so a transfer
 * cut off half way would be stored as if complete. Here the store's upload is committed only after
 * the data connection ended cleanly while the control connection is still there; every other ending
 * aborts it (no object, no pending multipart upload) and replies 426 (or 451/4xx from the store).
 * 226 is sent only after the commit succeeded.
 */
final class UploadCommand extends DataCommand {

  /** Which upload command this is; decides the offset and the name. */
  enum Mode {
    /** Replace the file, keeping the first REST bytes of the existing one. */
    STOR,
    /** Add to the end of the file (create it when missing). */
    APPE,
    /** Store under a new unique name in the working directory (or next to the given name). */
    STOU
  }

  private static final Logger LOG = LoggerFactory.getLogger(UploadCommand.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Mode mode;
  private final TransferRegistry transfers;

  UploadCommand(Mode mode, TransferRegistry transfers) {
    this.mode = mode;
    this.transfers = transfers;
  }

  @Override
  protected void run(FtpIoSession session, StoreView view, FtpRequest request) throws IOException {
    try {
      String argument =
          mode == Mode.STOU ? request.getArgument() : requireArgument(session, request);
      if (argument == null && mode != Mode.STOU) {
        return;
      }
      view.require(Permission.WRITE);
      VirtualPath path = mode == Mode.STOU ? unique(view, argument) : view.resolve(argument);
      if (!dataPrepared(session)) {
        return;
      }
      long offset =
          switch (mode) {
            case STOR -> session.getFileOffset();
            case APPE -> existingSize(view, path);
            case STOU -> 0;
          };
      UploadQuota quota =
          UploadQuota.check(
              view.account().username(), view.account().limits(), view.tree(), path, offset);
      try (Upload upload = view.tree().openWrite(path, offset)) {
        Running transfer = transfers.begin(session);
        try {
          receive(session, view, request, path, upload, quota, transfer);
        } finally {
          transfers.end(transfer);
        }
      }
    } finally {
      finish(session);
    }
  }

  private void receive(
      FtpIoSession session,
      StoreView view,
      FtpRequest request,
      VirtualPath path,
      Upload upload,
      UploadQuota quota,
      Running transfer) {
    String user = view.account().username();
    DataConnection data =
        open(
            session,
            mode == Mode.STOU ? "FILE: " + path.name() : "Opening data connection for " + path);
    if (data == null) {
      return;
    }
    UploadSink sink = new UploadSink(quota.limit(upload.stream()));
    long received;
    try {
      received = BulkCopy.fromClient(session, data, sink);
    } catch (IOException e) {
      // Aborted before the reply, so a client that sees 426 finds neither object nor upload.
      upload.abort();
      StoreException cause = sink.failure.causeOf(e);
      if (cause != null) {
        fail(session, view, request, cause, Phase.TRANSFER);
      } else {
        broken(session, user, path, transfer, "data connection broke", e.getMessage());
      }
      return;
    }
    if (transfer.aborted() || !session.isConnected() || session.isClosing()) {
      upload.abort();
      broken(
          session,
          user,
          path,
          transfer,
          "control connection closed",
          "the client went away while sending");
      return;
    }
    try {
      upload.commit();
    } catch (IOException e) {
      upload.abort();
      StoreException failure =
          e instanceof StoreException store
              ? store
              : new StoreException(Reason.STORAGE_UNAVAILABLE, e.getMessage(), e);
      fail(session, view, request, failure, Phase.TRANSFER);
      return;
    }
    LOG.info(
        "{} uploaded {} ({} bytes received, {} bytes total)",
        user,
        path,
        received,
        upload.bytesWritten());
    send(
        session,
        ReplyMapper.reply(
            226,
            mode == Mode.STOU
                ? "Transfer complete (unique file name: " + path.name() + ")"
                : "Transfer complete: " + upload.bytesWritten() + " bytes stored"));
  }

  private static void broken(
      FtpIoSession session,
      String user,
      VirtualPath path,
      Running transfer,
      String what,
      String detail) {
    String why = transfer.aborted() ? "server is shutting down" : what;
    LOG.info(
        "{} upload of {} aborted, nothing stored: {} ({}); the client has to send the file again",
        user,
        path,
        why,
        detail);
    send(session, ReplyMapper.reply(426, "Transfer aborted: " + why + "; nothing was stored"));
  }

  private static long existingSize(StoreView view, VirtualPath path) throws IOException {
    try {
      return view.tree().stat(path).size();
    } catch (StoreException e) {
      if (e.reason() == Reason.NOT_FOUND) {
        return 0;
      }
      throw e;
    }
  }

  private static VirtualPath unique(StoreView view, String argument) throws IOException {
    VirtualPath hint = argument == null || argument.isEmpty() ? null : view.resolve(argument);
    VirtualPath dir = hint == null ? view.cwd() : hint.parent();
    String base = hint == null || hint.isRoot() ? "upload" : hint.name();
    for (int attempt = 0; attempt < 8; attempt++) {
      byte[] suffix = new byte[4];
      RANDOM.nextBytes(suffix);
      VirtualPath candidate = dir.child(base + "." + HexFormat.of().formatHex(suffix));
      if (!exists(view, candidate)) {
        return candidate;
      }
    }
    throw new StoreException(Reason.ALREADY_EXISTS, "Could not find a unique file name");
  }

  private static boolean exists(StoreView view, VirtualPath path) throws IOException {
    try {
      view.tree().stat(path);
      return true;
    } catch (StoreException e) {
      if (e.reason() == Reason.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }
}
