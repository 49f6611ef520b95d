package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.FtpSettings;
import dev.dropzone.gateway.ftp.command.ReplyMapper.Phase;
import dev.dropzone.gateway.ftp.control.ClientPresence;
import dev.dropzone.gateway.ftp.control.RequestLines;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.gateway.ftp.quota.UploadQuota;
import dev.dropzone.gateway.ftp.transfer.DataLink;
import dev.dropzone.gateway.ftp.transfer.Transfer;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STOR, APPE and STOU. MINA's versions close the file's stream in a {@code finally}, so a transfer
 * cut off half way would be stored as if complete. Here the store's upload is made visible only
 * when
 *
 * <ol>
 *   <li>the data connection ended with an orderly close, not a reset, a timeout or a cut (ABOR,
 *       watchdog, shutdown);
 *   <li>everything was stored but the final step ({@link Upload#prepareCommit()});
 *   <li>and then, with everything the client sent on the control connection handled, the control
 *       connection is still open ({@link ClientPresence}): a client that died closed both at once.
 * </ol>
 *
 * Every other ending aborts the upload (no object, no pending multipart upload) before the reply,
 * which is 426 (or 451/5xx from the store); 226 comes only after the commit succeeded.
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

  /** How long a cut-off upload's abort may take before the client is answered anyway. */
  private static final Duration CANCEL_WAIT = Duration.ofMinutes(3);

  private final Mode mode;
  private final ClientPresence presence;
  private final FtpSettings.Transfers limits;

  UploadCommand(
      Mode mode,
      TransferRegistry transfers,
      ClientPresence presence,
      FtpSettings.Transfers limits) {
    super(transfers);
    this.mode = mode;
    this.presence = presence;
    this.limits = limits;
  }

  @Override
  protected Planned plan(FtpIoSession session, StoreView view, FtpRequest request)
      throws IOException {
    String argument =
        mode == Mode.STOU
            ? RequestLines.argument(session, request)
            : requireArgument(session, request);
    if (argument == null && mode != Mode.STOU) {
      return null;
    }
    view.require(Permission.WRITE);
    VirtualPath named = argument == null || argument.isEmpty() ? null : view.resolve(argument);
    if (!dataPrepared(session)) {
      return null;
    }
    long rest = session.getFileOffset();
    String what =
        mode == Mode.STOU
            ? "upload (STOU) into " + (named == null ? view.cwd() : named.parent())
            : "upload of " + named;
    return new Planned(what, transfer -> store(session, view, request, named, rest, transfer));
  }

  private void store(
      FtpIoSession session,
      StoreView view,
      FtpRequest request,
      VirtualPath named,
      long rest,
      Transfer transfer)
      throws IOException {
    VirtualPath path = mode == Mode.STOU ? unique(view, named) : named;
    if (mode == Mode.STOR && rest > 0) {
      // A restart offset past a file's end is refused with its size: one who may not list may
      // resume only what this session stored.
      view.requireStoredHere(path);
    }
    long offset =
        switch (mode) {
          case STOR -> rest;
          case APPE -> view.lookup(path).map(FileInfo::size).orElse(0L);
          case STOU -> 0;
        };
    String user = view.account().username();
    UploadQuota quota =
        view.account().may(Permission.LIST)
            ? UploadQuota.check(user, view.account().limits(), view.tree(), path, offset)
            : UploadQuota.checkBlind(user, view.account().limits(), view.tree());
    transfer.file(path.toString(), offset);
    Upload upload = view.tree().openWrite(path, offset);
    try {
      transfer.onCut(upload::abort);
      receive(session, view, request, path, upload, quota, transfer);
    } finally {
      // A no-op after a commit; otherwise nothing may stay behind, whatever ended the transfer.
      upload.abort();
    }
  }

  private void receive(
      FtpIoSession session,
      StoreView view,
      FtpRequest request,
      VirtualPath path,
      Upload upload,
      UploadQuota quota,
      Transfer transfer)
      throws IOException {
    DataLink link =
        open(
            session,
            transfer,
            mode == Mode.STOU ? "FILE: " + path.name() : "Opening data connection for " + path,
            upload::abort);
    if (link == null) {
      if (transfer.cut() != null) {
        abandon(session, upload, transfer, path, cutOff(transfer), "");
      }
      return;
    }
    long received;
    try {
      received = link.receive(quota.limit(upload.stream()), limits.modeZMaxRatio());
      upload.prepareCommit();
    } catch (IOException e) {
      if (transfer.cut() != null) {
        abandon(session, upload, transfer, path, cutOff(transfer), e.getMessage());
      } else if (e instanceof StoreException refused) {
        // Aborted before the reply, so a client that sees it finds neither object nor upload.
        upload.abort();
        fail(session, view, request, refused, Phase.TRANSFER);
      } else {
        abandon(session, upload, transfer, path, "data connection broke", e.getMessage());
      }
      return;
    }
    if (!clientStillThere(session, transfer) || !transfer.enterCommit()) {
      abandon(
          session,
          upload,
          transfer,
          path,
          transfer.cut() != null ? cutOff(transfer) : "control connection closed",
          "the client went away at the end of the upload");
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
    upload.digest().ifPresent(transfer::digest);
    view.stored(path);
    LOG.info(
        "{} uploaded {} ({} bytes received, {} bytes total)",
        transfer.user(),
        path,
        received,
        upload.bytesWritten());
    send(session, ReplyMapper.reply(226, completed(view, path, received, upload)));
  }

  private boolean clientStillThere(FtpIoSession session, Transfer transfer) throws IOException {
    try {
      return presence.confirm(
          session, transfer.dataEndedAt(), limits.uploadSettleTime(), () -> transfer.cut() == null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Reason.ABORTED, "interrupted", e);
    }
  }

  /**
   * The 226 text. Users who may not list learn nothing about the file beyond what they sent: after
   * APPE or REST the total would tell them the size of what was there before.
   */
  private String completed(StoreView view, VirtualPath path, long received, Upload upload) {
    String size =
        view.account().may(Permission.LIST)
            ? upload.bytesWritten() + " bytes stored"
            : received + " bytes received";
    return mode == Mode.STOU
        ? "Transfer complete (unique file name: " + path.name() + "): " + size
        : "Transfer complete: " + size;
  }

  /** Aborts the upload, waits until nothing is left of it, then replies 426. */
  private static void abandon(
      FtpIoSession session,
      Upload upload,
      Transfer transfer,
      VirtualPath path,
      String why,
      String detail) {
    upload.abort();
    transfer.awaitCancelled(CANCEL_WAIT);
    LOG.info(
        "{} upload of {} aborted, nothing stored: {}{}; the client has to send the file again",
        transfer.user(),
        path,
        why,
        detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    send(
        session,
        ReplyMapper.reply(
            426,
            "Transfer aborted: " + why + "; nothing was stored",
            transfer.cut() != null ? cutReason(transfer) : DATA_CONNECTION));
  }

  private static VirtualPath unique(StoreView view, VirtualPath hint) throws IOException {
    VirtualPath dir = hint == null ? view.cwd() : hint.parent();
    String base = hint == null || hint.isRoot() ? "upload" : hint.name();
    for (int attempt = 0; attempt < 8; attempt++) {
      byte[] suffix = new byte[4];
      RANDOM.nextBytes(suffix);
      VirtualPath candidate = dir.child(base + "." + HexFormat.of().formatHex(suffix));
      if (view.lookup(candidate).isEmpty()) {
        return candidate;
      }
    }
    throw new StoreException(Reason.ALREADY_EXISTS, "Could not find a unique file name");
  }
}
