package dev.dropzone.gateway.ftp.command;

import static dev.dropzone.gateway.ftp.command.ObservedCommand.observed;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.FtpSettings;
import dev.dropzone.gateway.ftp.command.ObservedCommand.Kind;
import dev.dropzone.gateway.ftp.control.ClientPresence;
import dev.dropzone.gateway.ftp.fs.StoreFile;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.CommandFactoryFactory;
import org.apache.ftpserver.command.impl.OPTS;
import org.apache.ftpserver.command.impl.PBSZ;
import org.apache.ftpserver.command.impl.PROT;
import org.apache.ftpserver.command.impl.REST;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * Puts Dropzone's commands in place of MINA's for everything that touches the store or a transfer.
 * MINA keeps the protocol plumbing it does well: PBSZ and PROT (after AUTH only), TYPE, MODE, STRU,
 * REST (but its refusal of a negative marker), NOOP, SYST, OPTS (but HASH), SITE ZONE, QUIT. None
 * of those reads the file view.
 */
public final class DropzoneCommands {

  private DropzoneCommands() {}

  /**
   * What the commands need from the running gateway.
   *
   * @param login the PASS command
   * @param transfers where transfers and listings run
   * @param presence how an upload makes sure its client is still there before it commits
   * @param limits how transfers run and end
   * @param tls whether FTPS is configured (FEAT advertises AUTH TLS only then)
   * @param activeMode whether PORT/EPRT are allowed (FEAT advertises EPRT only then)
   */
  public record Wiring(
      Command login,
      TransferRegistry transfers,
      ClientPresence presence,
      FtpSettings.Transfers limits,
      boolean tls,
      boolean activeMode) {}

  public static void install(CommandFactoryFactory factory, Wiring wiring) {
    TransferRegistry transfers = wiring.transfers();
    factory.addCommand("PASS", wiring.login());
    factory.addCommand("FEAT", new FeaturesCommand(wiring.tls(), wiring.activeMode()));
    // Transfers and tree changes fire one event each (audit log, change log, metrics).
    factory.addCommand("RETR", observed(Kind.DOWNLOAD, new DownloadCommand(transfers)));
    for (UploadCommand.Mode mode : UploadCommand.Mode.values()) {
      factory.addCommand(
          mode.name(),
          observed(
              Kind.UPLOAD, new UploadCommand(mode, transfers, wiring.presence(), wiring.limits())));
    }
    factory.addCommand("LIST", new ListingCommand(ListingFormat.LIST, transfers));
    factory.addCommand("NLST", new ListingCommand(ListingFormat.NLST, transfers));
    factory.addCommand("MLSD", new ListingCommand(ListingFormat.MLSD, transfers));
    factory.addCommand("MLST", new MlstCommand());
    factory.addCommand("STAT", new StatusCommand(transfers));
    factory.addCommand("ABOR", new AbortCommand());
    factory.addCommand(
        "PWD",
        new WorkingDirectoryCommand(
            (session, view) ->
                ReplyMapper.reply(257, quoted(view.cwd()) + " is the current directory")));
    WorkingDirectoryCommand parent =
        new WorkingDirectoryCommand(
            (session, view) ->
                changeDirectory(
                    session, view, view.cwd().isRoot() ? view.cwd() : view.cwd().parent()));
    factory.addCommand("CDUP", parent);
    // RFC 775's XCUP, which older clients send: MINA strips the X, as it does for XPWD and XMKD.
    factory.addCommand("CUP", parent);
    factory.addCommand("CWD", new PathCommand(null, DropzoneCommands::changeDirectory));
    factory.addCommand("SIZE", new PathCommand(Permission.LIST, DropzoneCommands::size));
    factory.addCommand("MDTM", new ModifiedTimeCommand());
    factory.addCommand(
        "DELE",
        observed(Kind.CHANGE, new PathCommand(Permission.DELETE, DropzoneCommands::delete)));
    factory.addCommand(
        "MKD", observed(Kind.CHANGE, new PathCommand(Permission.MKDIR, DropzoneCommands::mkdir)));
    factory.addCommand(
        "RMD", observed(Kind.CHANGE, new PathCommand(Permission.DELETE, DropzoneCommands::rmdir)));
    factory.addCommand("RNFR", new PathCommand(Permission.RENAME, DropzoneCommands::renameFrom));
    factory.addCommand(
        "RNTO",
        observed(Kind.CHANGE, new PathCommand(Permission.RENAME, DropzoneCommands::renameTo)));
    factory.addCommand("MFMT", new SetTimeCommand(SetTimeCommand.Form.MFMT));
    factory.addCommand("SITE_UTIME", new SetTimeCommand(SetTimeCommand.Form.SITE_UTIME));
    factory.addCommand("HASH", new HashCommand());
    factory.addCommand("OPTS", new HashOptions(new OPTS()));
    factory.addCommand("ALLO", new AllocateCommand());
    factory.addCommand("PBSZ", new AfterAuthCommand(new PBSZ()));
    factory.addCommand("PROT", new AfterAuthCommand(new PROT()));
    factory.addCommand("REST", new RestartCommand(new REST()));
    SiteCommands.install(factory);
    NotSupportedCommand notSupported = new NotSupportedCommand();
    // MINA drops a command's leading X (XMKD is MKD), so XCRC arrives as CRC, XSHA256 as SHA256.
    for (String name : new String[] {"MD5", "MMD5", "CRC", "SHA1", "SHA256", "SHA512"}) {
      factory.addCommand(name, notSupported);
    }
  }

  private static FtpReply changeDirectory(FtpIoSession session, StoreView view, VirtualPath path)
      throws IOException {
    if (!view.account().may(Permission.LIST)) {
      // One who may not list learns only whether a directory exists (clients need CWD to upload
      // into one), never whether a file does: both answers are the same.
      if (!view.tree().isDirectory(path)) {
        throw new StoreException(Reason.NOT_FOUND, "No such directory: " + path);
      }
    } else if (!view.stat(path).directory()) {
      throw new StoreException(Reason.NOT_A_DIRECTORY, "Not a directory: " + path);
    }
    view.cwd(path);
    return ReplyMapper.reply(250, "Directory changed to " + path);
  }

  private static FtpReply size(FtpIoSession session, StoreView view, VirtualPath path)
      throws IOException {
    FileInfo info = plainFile(view, path);
    return ReplyMapper.reply(213, Long.toString(info.size()));
  }

  private static FtpReply delete(FtpIoSession session, StoreView view, VirtualPath path)
      throws IOException {
    plainFile(view, path);
    view.tree().delete(path);
    return ReplyMapper.reply(250, "Deleted " + path);
  }

  private static FtpReply mkdir(FtpIoSession session, StoreView view, VirtualPath path)
      throws IOException {
    view.tree().mkdir(path);
    return ReplyMapper.reply(257, quoted(path) + " created");
  }

  private static FtpReply rmdir(FtpIoSession session, StoreView view, VirtualPath path)
      throws IOException {
    if (path.isRoot()) {
      throw new StoreException(Reason.ACCESS_DENIED, "Your home directory cannot be removed");
    }
    view.tree().rmdir(path);
    if (path.contains(view.cwd())) {
      view.cwd(path.parent());
    }
    return ReplyMapper.reply(250, "Removed " + path);
  }

  private static FtpReply renameFrom(FtpIoSession session, StoreView view, VirtualPath path)
      throws IOException {
    view.stat(path);
    session.resetState();
    session.setRenameFrom(view.file(path));
    return ReplyMapper.reply(350, "Ready for RNTO");
  }

  private static FtpReply renameTo(FtpIoSession session, StoreView view, VirtualPath path)
      throws IOException {
    var from = session.getRenameFrom();
    session.resetState();
    if (!(from instanceof StoreFile file)) {
      return ReplyMapper.reply(503, "Send RNFR first");
    }
    VirtualPath source = file.path();
    if (source.isRoot()) {
      throw new StoreException(Reason.ACCESS_DENIED, "Your home directory cannot be renamed");
    }
    Account account = view.account();
    if (!account.may(Permission.WRITE)
        && !account.may(Permission.DELETE)
        && !source.equals(path)
        && fileAt(view, path)) {
      // RNTO over a file destroys it: that takes the right to overwrite or to remove files, or a
      // move-only account could wipe any file by renaming another onto it.
      throw new StoreException(
          Reason.ACCESS_DENIED,
          "Permission denied: " + path + " exists, and replacing it needs write or delete");
    }
    view.tree().rename(source, path);
    return ReplyMapper.reply(250, "Renamed " + source + " to " + path);
  }

  private static boolean fileAt(StoreView view, VirtualPath path) throws IOException {
    return view.lookup(path).map(info -> !info.directory()).orElse(false);
  }

  private static FileInfo plainFile(StoreView view, VirtualPath path) throws IOException {
    FileInfo info = view.stat(path);
    if (info.directory()) {
      throw new StoreException(Reason.NOT_A_FILE, "Not a plain file: " + path);
    }
    return info;
  }

  /** RFC 959 257 reply form: the path in double quotes, inner quotes doubled. */
  private static String quoted(VirtualPath path) {
    return "\"" + path.toString().replace("\"", "\"\"") + "\"";
  }
}
