package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.logging.LogText;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.User;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * USER. Replaces MINA's, which closes the connection after refusing a name, without a word in any
 * log: {@code anonymous} (so a client's anonymous attempt never reached the audit log, and the
 * session was folded away as an empty one), and any other name on a logged-in session, with a reply
 * ("Invalid user name") that did not say what was wrong.
 *
 * <p>Here every name is taken, {@code anonymous} too, and judged by PASS like any other: an account
 * that does not exist fails there, counted, throttled and audited as a failed login, and nobody
 * learns from USER which names exist. A logged-in session keeps its user until REIN.
 */
public final class UserCommand extends AbstractCommand {

  private static final Logger LOG = LoggerFactory.getLogger(UserCommand.class);

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    // Trimmed, as MINA had it: a stray space after a name is no part of it.
    String name = request.getArgument();
    if (name == null || name.isEmpty()) {
      session.write(ReplyMapper.reply(501, "USER needs a user name"));
      return;
    }
    if (session.isLoggedIn()) {
      answerLoggedIn(session, request, session.getUser(), name);
      return;
    }
    session.setUserArgument(name);
    session.write(ReplyMapper.reply(331, "Password required for " + name));
  }

  private static void answerLoggedIn(
      FtpIoSession session, FtpRequest request, User current, String name) {
    if (name.equals(current.getName())) {
      session.write(ReplyMapper.reply(230, "Already logged in as " + name));
      return;
    }
    FtpReply refusal =
        ReplyMapper.reply(
            530,
            "Already logged in as "
                + current.getName()
                + "; send REIN to log out before logging in as another user",
            "already_logged_in");
    LOG.info(
        "USER {} refused on a session logged in as {}: the client must send REIN first",
        LogText.of(name),
        LogText.of(current.getName()));
    session.write(refusal);
    ReplyMapper.refused(session.getFtpletSession(), request, refusal);
  }
}
