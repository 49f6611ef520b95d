package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.SessionEvents;
import dev.dropzone.gateway.logging.LogText;
import java.net.InetSocketAddress;
import java.time.Instant;
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
 * <p>Here {@code anonymous} is refused at once and audited as a failed login, but counts towards no
 * ban and costs no password check: curl, browsers and file managers try it by themselves whenever
 * no user name was given, and one office behind one address must not be banned for that. Every
 * other name is taken and judged by PASS, so USER tells nobody which names exist. A logged-in
 * session keeps its user until REIN.
 */
public final class UserCommand extends AbstractCommand {

  private static final Logger LOG = LoggerFactory.getLogger(UserCommand.class);

  private static final String ANONYMOUS = "anonymous";

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    // MINA trims the line, not the argument: "USER  alice" arrives as " alice". Spaces around a
    // name are never part of it, and a variant with them would count its failed logins apart.
    String name = request.getArgument() == null ? null : request.getArgument().strip();
    if (name == null || name.isEmpty()) {
      session.write(ReplyMapper.reply(501, "USER needs a user name"));
      return;
    }
    if (session.isLoggedIn()) {
      answerLoggedIn(session, request, session.getUser(), name);
      return;
    }
    if (name.equalsIgnoreCase(ANONYMOUS)) {
      refuseAnonymous(session, name);
      return;
    }
    session.setUserArgument(name);
    session.write(ReplyMapper.reply(331, "Password required for " + name));
  }

  private static void refuseAnonymous(FtpIoSession session, String name) {
    // A PASS now must not log in a name given before.
    session.setUserArgument(null);
    LOG.info(
        "Anonymous login from {} refused: anonymous logins are not allowed",
        ((InetSocketAddress) session.getRemoteAddress()).getAddress().getHostAddress());
    SessionEvents.fire(
        session,
        new FtpEvent.Login(
            Instant.now(),
            SessionEvents.client(session, name, null),
            FtpEvent.LoginOutcome.FAILED,
            "anonymous logins are not allowed"));
    session.write(
        ReplyMapper.reply(
            530, "Anonymous logins are not allowed; log in with your user name and password"));
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
