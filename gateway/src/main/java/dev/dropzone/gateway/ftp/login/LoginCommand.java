package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.ftp.connection.AdmissionFilter;
import dev.dropzone.gateway.ftp.control.ControlQueue;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.SessionEvents;
import dev.dropzone.gateway.logging.LogText;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PASS. Replaces MINA's, which checks the password on a command thread, sleeps there after a
 * failure, never bans, and treats "the user source is down" like a wrong password.
 *
 * <p>Here a banned address or a paused name is refused before any password is checked; the check
 * itself runs in {@link PasswordChecks} (capped, one per address, with a queue timeout) while
 * nothing more is read from the client, and {@link LoginAttempt} answers it. A name and password
 * the user source verified a short time ago are answered at once instead ({@link
 * LoginAttempt#answerFromMemory}): there is no hash to cap.
 */
public final class LoginCommand extends AbstractCommand {

  private static final Logger LOG = LoggerFactory.getLogger(LoginCommand.class);

  private final Logins logins;

  public LoginCommand(Logins logins) {
    this.logins = logins;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request) {
    session.resetState();
    String username = session.getUserArgument();
    if (session.isLoggedIn()) {
      session.write(ReplyMapper.reply(202, "Already logged in"));
      return;
    }
    if (username == null) {
      session.write(ReplyMapper.reply(503, "Send USER first"));
      return;
    }
    if (!request.hasArgument()) {
      session.write(ReplyMapper.reply(501, "PASS needs a password"));
      return;
    }
    if (session.setAttributeIfAbsent(LoginAttempt.PENDING, Boolean.TRUE) != null) {
      // Only commands the client sent in one go with the PASS before get here.
      session.write(ReplyMapper.reply(503, "A login is already being checked on this connection"));
      return;
    }
    InetAddress address = ((InetSocketAddress) session.getRemoteAddress()).getAddress();
    if (logins.throttle().banned(address)) {
      LOG.info(
          "Login of {} from {} refused: the address is banned",
          LogText.of(username),
          address.getHostAddress());
      SessionEvents.fire(
          session,
          new FtpEvent.Login(
              Instant.now(),
              SessionEvents.client(session, username, logins.authenticator().backend()),
              FtpEvent.LoginOutcome.BANNED,
              "the address is banned"));
      session.removeAttribute(LoginAttempt.PENDING);
      session.reinitialize();
      session.write(ReplyMapper.reply(421, AdmissionFilter.BANNED));
      session.closeOnFlush();
      return;
    }
    LoginAttempt attempt =
        new LoginAttempt(logins, session, context, address, username, request.getArgument());
    if (attempt.answerFromMemory()) {
      return;
    }
    // Nothing more is read from this client until the attempt has been answered (a failure after
    // its delay), so a client cannot pipeline guesses past the throttle.
    session.suspendRead();
    // Commands read together with this PASS wait for its answer, as those sent later do.
    ControlQueue.hold(session);
    logins.checks().submit(logins.throttle().networks().of(address), attempt);
  }
}
