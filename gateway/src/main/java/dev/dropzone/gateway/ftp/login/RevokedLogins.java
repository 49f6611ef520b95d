package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.auth.LoginRevocation;
import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.SessionEvents;
import dev.dropzone.gateway.logging.LogText;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ftpserver.impl.FtpIoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the sessions whose login their user source has taken back: a user removed from the users
 * file, or whose password, home, permissions or limits changed after the session logged in. Without
 * this, such a session would go on until it closed, whatever the administrator did to lock it out.
 * Each session gets {@code 421} with the reason and is closed, which aborts a transfer it was
 * running (an upload stores nothing).
 */
public final class RevokedLogins implements Runnable {

  /** How often logged-in sessions are checked; the users file costs one stat per check. */
  public static final Duration INTERVAL = Duration.ofSeconds(5);

  /** How long a revoked session's {@code 421} may take to go out before it is closed anyway. */
  private static final Duration REPLY_WAIT = Duration.ofSeconds(2);

  private static final Logger LOG = LoggerFactory.getLogger(RevokedLogins.class);

  private static final String ENDED = RevokedLogins.class.getName() + ".ended";

  private final UserSessions sessions;
  private final LoginRevocation source;
  private final ScheduledExecutorService timers;

  public RevokedLogins(
      UserSessions sessions, LoginRevocation source, ScheduledExecutorService timers) {
    this.sessions = sessions;
    this.source = source;
    this.timers = timers;
  }

  /** Checks the logged-in sessions every {@link #INTERVAL} from now on. */
  public void start() {
    timers.scheduleWithFixedDelay(
        this, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    try {
      for (UserSessions.Login login : sessions.logins()) {
        Optional<String> why = source.revoked(login.account(), login.since());
        if (why.isPresent()) {
          end(login, why.get());
        }
      }
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: log it and keep checking.
      LOG.error("Checking logged-in sessions against their user source failed", e);
    }
  }

  private void end(UserSessions.Login login, String why) {
    FtpIoSession session = login.session();
    if (!session.isConnected() || session.setAttributeIfAbsent(ENDED, Boolean.TRUE) != null) {
      return;
    }
    FtpEvent.Client client = SessionEvents.client(session);
    LOG.info(
        "Ended the session of {} from {}: the account was {} after it logged in at {}",
        LogText.of(login.account().username()),
        client.address(),
        why,
        login.since());
    SessionEvents.fire(session, new FtpEvent.LoginRevoked(Instant.now(), client, why));
    session
        .write(ReplyMapper.reply(421, "Logged out: your account was " + why))
        .addListener(written -> session.closeNow());
    timers.schedule(session::closeNow, REPLY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
