package dev.dropzone.gateway.ftp.command;

import java.io.IOException;
import java.util.Locale;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * OPTS with HASH added (draft-bryan-ftpext-hash): {@code OPTS HASH} names the selected algorithm,
 * {@code OPTS HASH <name>} selects one. MINA's OPTS keeps its own fixed table of options (UTF8,
 * MLST), so every other option goes to it unchanged.
 */
final class HashOptions extends AbstractCommand {

  private final Command others;

  HashOptions(Command others) {
    this.others = others;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    String argument = request.getArgument() == null ? "" : request.getArgument().strip();
    String[] words = argument.split(" +", 2);
    if (!words[0].equalsIgnoreCase("HASH")) {
      others.execute(session, context, request);
      return;
    }
    session.resetState();
    if (words.length == 1 || words[1].toUpperCase(Locale.ROOT).equals(HashCommand.ALGORITHM)) {
      session.write(ReplyMapper.reply(200, HashCommand.ALGORITHM));
    } else {
      session.write(
          ReplyMapper.reply(
              504,
              "Unknown or unsupported algorithm "
                  + words[1]
                  + ": only "
                  + HashCommand.ALGORITHM
                  + " is recorded; selection not changed"));
    }
  }
}
