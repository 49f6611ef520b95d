package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * MDTM: a file's modification time (RFC 3659 §3), or, as vsftpd and the clients written for it have
 * it, {@code MDTM YYYYMMDDhhmmss <path>} to set it (some clients send that where a server has no
 * MFMT). An argument that names an existing entry as a whole is always a query (for a user who may
 * list), so a file called {@code 20240131235959 report} is still read, never changed.
 */
final class ModifiedTimeCommand extends StoreCommand {

  private static final Pattern SETTING = Pattern.compile("\\d{14}(\\.\\d{1,3})? .+");

  @Override
  protected void run(FtpIoSession session, StoreView view, FtpRequest request) throws IOException {
    String argument = requireArgument(session, request);
    if (argument == null) {
      return;
    }
    boolean setting = SETTING.matcher(argument).matches();
    try (StorageDeadline.Scope deadline = view.commandDeadline()) {
      // Without the list permission the argument is not looked up, and setting is refused alike
      // for a missing file and one this session did not store: a write-only user must not learn
      // from the answer whether a name exists.
      if (setting && (!view.account().may(Permission.LIST) || !exists(view, argument))) {
        Optional<SetTimeCommand.Target> target = SetTimeCommand.Form.MFMT.parse(argument);
        if (target.isEmpty()) {
          // A time that is no time (month 13, before 1970) is a mistake, not a file's name.
          session.write(SetTimeCommand.usage("MDTM YYYYMMDDhhmmss[.sss] <path>"));
          return;
        }
        SetTimeCommand.set(session, view, target.get(), SetTimeCommand.Form.MFMT);
        return;
      }
      VirtualPath path = view.resolve(argument);
      view.require(Permission.LIST);
      FileInfo info = view.stat(path);
      session.write(ReplyMapper.reply(213, ListingDates.MDTM.format(info.lastModified())));
    }
  }

  private static boolean exists(StoreView view, String argument) throws IOException {
    try {
      view.stat(view.resolve(argument));
      return true;
    } catch (StoreException e) {
      if (e.reason() == Reason.NOT_FOUND || e.reason() == Reason.INVALID_PATH) {
        return false;
      }
      throw e;
    }
  }
}
