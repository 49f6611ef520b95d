package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.auth.LoginRevocation;
import dev.dropzone.gateway.ftp.DaemonScheduler;
import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.SessionEvents;
import dev.dropzone.gateway.logging.LogText;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.ftpserver.impl.FtpIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the sessions whose login their user source has taken back: a user removed from the users
 * file, or given a new password, another home, fewer permissions or other scanning after the
 * session logged in. Without this, such a session would go on until it closed, whatever the
 * administrator did to lock it out. Each session gets {@code 421} with the reason and is closed,
 * which aborts a transfer it was running (an upload stores nothing).
 */
public final class RevokedLogins implements Runnable, AutoCloseable {

  /** How often logged-in sessions are checked; the users file costs one stat per session. */
  public static final Duration INTERVAL = Duration.ofSeconds(5);

  /** How long a revoked session's {@code 421} may take to go out before it is closed anyway. */
  private static final Duration REPLY_WAIT = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(RevokedLogins.class);

  private static final String ENDED = RevokedLogins.class.getName() + ".ended";

  private final UserSessions sessions;
  private final LoginRevocation source;

  /**
   * A thread of its own: a users file on a stalled network file system must not hold up the FTP
   * timers (login timeouts, delayed replies) that share theirs.
   */
  private final ScheduledThreadPoolExecutor thread;

  public RevokedLogins(UserSessions sessions, LoginRevocation source) {
    this.sessions = sessions;
    this.source = source;
    this.thread = DaemonScheduler.named("dropzone-login-revocation");
  }

  /** Checks the logged-in sessions every {@link #INTERVAL} from now on, until {@link #close}. */
  public RevokedLogins start() {
    thread.scheduleWithFixedDelay(
        this, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public void run() {
    for (UserSessions.Login login : sessions.logins()) {
      try {
        Optional<String> why = source.revoked(login.account(), login.mark());
        if (why.isPresent()) {
          end(login, why.get());
        }
      } catch (RuntimeException | Error e) {
        // A periodic task that throws is never run again: a lockout must not stop working.
        LOG.error(
            "Checking the session of {} against its user source failed; the checks go on",
            LogText.of(login.account().username()),
            e);
      }
    }
  }

  private void end(UserSessions.Login login, String why) {
    FtpIoSession session = login.session();
    // The session may have logged in again (REIN, USER/PASS) since the list was taken.
    if (!session.isConnected()
        || !sessions.current(login)
        || session.setAttributeIfAbsent(ENDED, Boolean.TRUE) != null) {
      return;
    }
    FtpEvent.Client client = SessionEvents.client(session);
    LOG.info(
        "Ended the session of {} from {}: the account was {} after it logged in",
        LogText.of(login.account().username()),
        client.address(),
        why);
    SessionEvents.fire(session, new FtpEvent.LoginRevoked(Instant.now(), client, why));
    session
        .write(ReplyMapper.reply(421, "Logged out: your account was " + why))
        .addListener(written -> session.closeNow());
    thread.schedule(session::closeNow, REPLY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
