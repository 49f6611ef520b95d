package dev.dropzone.gateway.ftp.command;

import java.util.Locale;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.command.CommandFactoryFactory;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * The SITE commands as they are here. MINA's SITE HELP listed WHO, STAT and DESCUSER, which only an
 * FTP administrator may run, and Dropzone has none (its statistics are on the admin endpoint); it
 * did not list UTIME, which everyone may.
 */
final class SiteCommands {

  private static final String[] HELP = {
    "SITE commands:",
    " SITE UTIME YYYYMMDDhhmm[ss] <path>   set a file's modification time (as MFMT)",
    " SITE ZONE                            the server's offset from UTC",
    " SITE HELP                            this list",
    "End"
  };

  private SiteCommands() {}

  /** SITE HELP, and a refusal for the administrators' SITE commands (SITE UTIME is elsewhere). */
  static void install(CommandFactoryFactory factory) {
    factory.addCommand("SITE_HELP", new Help());
    Unsupported unsupported = new Unsupported();
    for (String name : new String[] {"WHO", "STAT", "DESCUSER"}) {
      factory.addCommand("SITE_" + name, unsupported);
    }
  }

  private static final class Help extends AbstractCommand {
    @Override
    public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
      session.resetState();
      session.write(new DefaultFtpReply(214, HELP));
    }
  }

  private static final class Unsupported extends AbstractCommand {
    @Override
    public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
      session.resetState();
      String word = request.getArgument().strip().split(" ", 2)[0].toUpperCase(Locale.ROOT);
      session.write(
          ReplyMapper.reply(
              502, "SITE " + word + " is not supported by this server; SITE HELP lists what is"));
    }
  }
}
