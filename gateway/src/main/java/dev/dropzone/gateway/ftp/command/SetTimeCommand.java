package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.ftp.control.RequestLines;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.store.ModificationTimes;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets a file's modification time, which the store records in the object's authenticated metadata
 * and MDTM, LIST and MLSD show: MFMT (draft-somers-ftp-mfxx), and SITE UTIME in the two forms
 * clients send (lftp tries MFMT first, then these). Directories have no time of their own to set:
 * theirs comes from their marker or their newest entry.
 */
final class SetTimeCommand extends StoreCommand {

  private static final Logger LOG = LoggerFactory.getLogger(SetTimeCommand.class);

  /** How the time and the path are spelled in the command's argument. */
  enum Form {
    /** {@code MFMT <time> <path>}. */
    MFMT("MFMT YYYYMMDDhhmmss[.sss] <path>") {
      @Override
      Optional<Target> parse(String argument) {
        int space = argument.indexOf(' ');
        if (space < 0) {
          return Optional.empty();
        }
        return target(argument.substring(0, space), argument.substring(space + 1));
      }
    },
    /**
     * {@code SITE UTIME <time> <path>} or {@code SITE UTIME <path> <atime> <mtime> <ctime> UTC};
     * MINA passes SITE's whole argument, starting with {@code UTIME}.
     */
    SITE_UTIME(
        "SITE UTIME YYYYMMDDhhmm[ss] <path> or SITE UTIME <path> <atime> <mtime> <ctime> UTC") {
      private static final Pattern FIVE = Pattern.compile("(.+) (\\d{14}) (\\d{14}) (\\d{14}) UTC");

      @Override
      Optional<Target> parse(String argument) {
        String rest = argument.replaceFirst("(?i)^UTIME ", "");
        if (rest.length() == argument.length()) {
          return Optional.empty();
        }
        // The path comes first in this form: spaces after its final UTC are no part of it.
        Matcher five = FIVE.matcher(rest.stripTrailing());
        if (five.matches()) {
          return target(five.group(3), five.group(1));
        }
        return MFMT.parse(rest);
      }
    };

    private final String usage;

    Form(String usage) {
      this.usage = usage;
    }

    abstract Optional<Target> parse(String argument);

    private static Optional<Target> target(String time, String path) {
      // Spaces after the time are the trailing spaces of a missing name, as STOR sees them.
      if (path.isBlank()) {
        return Optional.empty();
      }
      return ClientTime.parse(time).map(instant -> new Target(instant, path));
    }
  }

  /** What to set: the file as the client named it, and its new time. */
  record Target(Instant time, String path) {}

  private final Form form;

  SetTimeCommand(Form form) {
    this.form = form;
  }

  @Override
  protected void run(FtpIoSession session, StoreView view, FtpRequest request) throws IOException {
    String argument = RequestLines.argument(session, request);
    argument = argument == null ? "" : argument;
    Optional<Target> target = form.parse(argument);
    if (target.isEmpty()) {
      session.write(usage(form.usage));
      return;
    }
    set(session, view, target.get(), form);
  }

  /** The 501 for an argument that is not {@code usage}. */
  static FtpReply usage(String usage) {
    return ReplyMapper.reply(
        501, "Expected " + usage + " with a UTC time from 1970 on, e.g. 20240131235959");
  }

  /**
   * Sets the time of {@code target} and answers as {@code form} does (also for MDTM's setting form,
   * which answers as MFMT).
   */
  static void set(FtpIoSession session, StoreView view, Target target, Form form)
      throws IOException {
    VirtualPath path = view.resolve(target.path());
    view.require(Permission.WRITE);
    view.requireStoredHere(path);
    Instant time = target.time();
    view.ability(ModificationTimes.class).setModified(path, time);
    String shown = ListingDates.MDTM.format(time);
    LOG.info(
        "{} from {} set the modification time of {} to {}",
        view.account().username(),
        session.getRemoteAddress(),
        path,
        time);
    session.write(
        form == Form.MFMT
            ? ReplyMapper.reply(213, "Modify=" + shown + "; " + path)
            : ReplyMapper.reply(200, "Modification time of " + path + " set to " + shown));
  }
}
