package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.ftp.connection.AdmissionFilter;
import dev.dropzone.gateway.ftp.connection.ConnectionGuard;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ftpserver.command.AbstractCommand;
import org.apache.ftpserver.ftplet.AuthenticationFailedException;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.User;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.apache.ftpserver.impl.ServerFtpStatistics;
import org.apache.ftpserver.usermanager.UsernamePasswordAuthentication;
import org.apache.ftpserver.usermanager.impl.UserMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PASS. Replaces MINA's, which sleeps on a pool thread after a failure, never bans, and treats "the
 * user source is down" like a wrong password. Here a failure is answered after the configured delay
 * without holding a thread (reading from the client is suspended meanwhile), repeated failures ban
 * the address, and an unavailable source gets a 421 that does not count as a failure.
 */
public final class LoginCommand extends AbstractCommand {

  private static final Logger LOG = LoggerFactory.getLogger(LoginCommand.class);

  private final ConnectionGuard guard;
  private final ScheduledExecutorService timers;
  private final Duration failureDelay;
  private final UserSessions sessions;

  public LoginCommand(
      ConnectionGuard guard,
      ScheduledExecutorService timers,
      Duration failureDelay,
      UserSessions sessions) {
    this.guard = guard;
    this.timers = timers;
    this.failureDelay = failureDelay;
    this.sessions = sessions;
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
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
    InetAddress address = ((InetSocketAddress) session.getRemoteAddress()).getAddress();
    if (guard.banned(address)) {
      session.reinitialize();
      session.write(ReplyMapper.reply(421, ConnectionGuard.BANNED));
      session.closeOnFlush();
      return;
    }
    UserMetadata metadata = new UserMetadata();
    metadata.setInetAddress(address);
    User user;
    try {
      user =
          context
              .getUserManager()
              .authenticate(
                  new UsernamePasswordAuthentication(username, request.getArgument(), metadata));
    } catch (LoginUnavailableException e) {
      LOG.warn(
          "Login of {} from {} could not be checked: {}; check the user source",
          username,
          address.getHostAddress(),
          e.getMessage());
      session.reinitialize();
      session.write(ReplyMapper.reply(421, "Login service unavailable, try again later"));
      session.closeOnFlush();
      return;
    } catch (AuthenticationFailedException e) {
      refuse(session, username, address);
      return;
    }

    // The password was right, so this is no failed login: no delay, nothing counted to a ban.
    Account account = ((AccountUser) user).account();
    if (!sessions.tryOpen(session, account)) {
      LOG.info(
          "Login of {} from {} refused: already {} session(s), the limit; the user must close one"
              + " or the limit (maxSessions) be raised",
          username,
          address.getHostAddress(),
          account.limits().maxSessions());
      session.reinitialize();
      session.write(
          ReplyMapper.reply(
              530,
              "Too many sessions for user "
                  + username
                  + " (limit "
                  + account.limits().maxSessions()
                  + "); close another session first"));
      return;
    }

    session.setUser(user);
    session.setUserArgument(null);
    session.setMaxIdleTime(user.getMaxIdleTime());
    try {
      session.setLogin(context.getFileSystemManager().createFileSystemView(user));
    } catch (FtpException e) {
      sessions.close(session);
      session.reinitialize();
      session.write(ReplyMapper.reply(550, "Your home directory is not usable: " + e.getMessage()));
      return;
    }
    session.setAttribute(AdmissionFilter.LOGGED_IN, Boolean.TRUE);
    ((ServerFtpStatistics) context.getFtpStatistics()).setLogin(session);
    guard.loginSucceeded(address);
    LOG.info("Login of {} from {}", username, address.getHostAddress());
    session.write(ReplyMapper.reply(230, "Logged in as " + username));
  }

  private void refuse(FtpIoSession session, String username, InetAddress address) {
    session.reinitialize();
    boolean banned = guard.loginFailed(address);
    if (banned) {
      LOG.warn(
          "Banned {} for {} s after repeated failed logins (last as {}); if legitimate, the user"
              + " must wait or the server be restarted",
          address.getHostAddress(),
          guard.banDuration().toSeconds(),
          username);
      session.write(ReplyMapper.reply(421, ConnectionGuard.BANNED));
      session.closeOnFlush();
      return;
    }
    LOG.info("Failed login as {} from {}", username, address.getHostAddress());
    // Nothing more is read from this client until the delayed answer went out, so a client
    // cannot pipeline guesses past the delay.
    session.suspendRead();
    timers.schedule(
        () -> {
          session.write(ReplyMapper.reply(530, "Login incorrect"));
          session.resumeRead();
        },
        failureDelay.toMillis(),
        TimeUnit.MILLISECONDS);
  }
}
