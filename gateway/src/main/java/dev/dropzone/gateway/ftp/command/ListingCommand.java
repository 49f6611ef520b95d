package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.command.ReplyMapper.Phase;
import dev.dropzone.gateway.ftp.control.RequestLines;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.gateway.ftp.transfer.DataLink;
import dev.dropzone.gateway.ftp.transfer.Transfer;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.IOException;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;

/** LIST, NLST and MLSD: a directory (or one file) streamed over the data connection. */
final class ListingCommand extends DataCommand {

  private final ListingFormat format;

  ListingCommand(ListingFormat format, TransferRegistry transfers) {
    super(transfers);
    this.format = format;
  }

  @Override
  protected Planned plan(FtpIoSession session, StoreView view, FtpRequest request)
      throws IOException {
    String target = target(RequestLines.argument(session, request));
    VirtualPath path = target == null ? view.cwd() : view.resolve(target);
    view.require(Permission.LIST);
    if (!dataPrepared(session)) {
      return null;
    }
    return new Planned(
        "listing of " + path, transfer -> list(session, view, request, target, path, transfer));
  }

  private void list(
      FtpIoSession session,
      StoreView view,
      FtpRequest request,
      String target,
      VirtualPath path,
      Transfer transfer)
      throws IOException {
    Stream<String> listed;
    // The first page (and for a file, its stat) before any data; later pages get their own.
    try (StorageDeadline.Scope deadline = view.commandDeadline()) {
      listed = lines(view, target, path);
    }
    if (listed == null) {
      send(session, ReplyMapper.reply(501, "MLSD needs a directory; use MLST for a file"));
      return;
    }
    try (Stream<String> entries = listed) {
      DataLink link = open(session, transfer, "Opening data connection for the listing of " + path);
      if (link == null) {
        answerCut(session, transfer, "Listing aborted");
        return;
      }
      try {
        link.send(new ListingStream(entries.iterator()));
      } catch (IOException e) {
        sendFailed(session, view, request, link, transfer, e, Phase.COMMAND, "Listing aborted");
        return;
      }
      send(session, ReplyMapper.reply(226, "Listing complete"));
    }
  }

  /**
   * The listing's lines: of {@link #entries}, or, where nothing has the name and its last name is a
   * pattern (not for MLSD, whose argument is a directory), of the entries it matches.
   */
  private Stream<String> lines(StoreView view, String target, VirtualPath path) throws IOException {
    Stream<FileInfo> entries;
    try {
      entries = entries(view, path);
    } catch (StoreException e) {
      Optional<NameGlob> glob =
          e.reason() == Reason.NOT_FOUND && format != ListingFormat.MLSD
              ? NameGlob.of(target, path)
              : Optional.empty();
      if (glob.isEmpty()) {
        throw e;
      }
      return matching(view, glob.get());
    }
    return entries == null ? null : entries.map(e -> format.line(e, view.account()));
  }

  private Stream<String> matching(StoreView view, NameGlob glob) throws IOException {
    return listing(view, glob.directory())
        .filter(e -> glob.matches(e.name()))
        .map(e -> format.line(e, glob.shown() + e.name(), view.account()));
  }

  private Stream<FileInfo> listing(StoreView view, VirtualPath dir) throws IOException {
    // Names alone need no time looked up per entry.
    return format == ListingFormat.NLST ? view.tree().listWithoutTimes(dir) : view.tree().list(dir);
  }

  /**
   * The directory's entries, or the file itself (LIST and NLST of a file name show that one entry);
   * null for MLSD of a file. The directory is listed first, since its first page also tells whether
   * it exists: most listings need no other request.
   */
  private Stream<FileInfo> entries(StoreView view, VirtualPath path) throws IOException {
    try {
      return listing(view, path);
    } catch (StoreException e) {
      if (e.reason() != Reason.NOT_A_DIRECTORY) {
        throw e;
      }
    }
    return format == ListingFormat.MLSD ? null : Stream.of(view.stat(path));
  }

  /**
   * The path in a listing argument: clients send {@code ls} options such as {@code -la} first,
   * which are ignored (a name that really starts with '-' can be given as {@code ./-name}).
   */
  static String target(String argument) {
    if (argument == null || argument.isBlank()) {
      return null;
    }
    // Trailing spaces may end a name; options and the spaces between them are no part of one.
    String rest = argument.stripLeading();
    while (rest.startsWith("-")) {
      int space = rest.indexOf(' ');
      if (space < 0) {
        return null;
      }
      rest = rest.substring(space + 1).stripLeading();
    }
    return rest.isBlank() ? null : rest;
  }
}
