package dev.dropzone.gateway.ftp.connection;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.SessionEvents;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs before the FTP handler sees a connection: refuses it with 421 when its address is banned,
 * opens connections faster than its {@link ConnectionRate} or the {@link ConnectionGuard} says so
 * (instead of the 220 greeting), closes connections that have not logged in within the login
 * timeout, and closes the connections the guard sheds to make room.
 */
public final class AdmissionFilter extends IoFilterAdapter {

  /** Set on the session by the login command once a user has logged in. */
  public static final String LOGGED_IN = "dropzone.loggedIn";

  /** The refusal a banned address gets. */
  public static final String BANNED = "Too many failed logins from your address, try again later";

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionFilter.class);
  private static final String PLACE = "dropzone.place";
  private static final String LOGIN_TIMER = "dropzone.loginTimer";
  private static final long SHED_REPORT_INTERVAL = TimeUnit.MINUTES.toNanos(1);

  private final ConnectionGuard guard;
  private final Predicate<InetAddress> banned;
  private final ConnectionRate rate;
  private final ScheduledExecutorService timers;
  private final Duration loginTimeout;
  private final RefusalReports reports;
  private final AtomicLong shedSinceReport = new AtomicLong();
  private final AtomicLong lastShedReport =
      new AtomicLong(System.nanoTime() - SHED_REPORT_INTERVAL);

  /**
   * @param banned whether an address is banned after failed logins
   * @param rate how fast one address may open connections
   * @param reports decides which refusals are logged one by one
   */
  public AdmissionFilter(
      ConnectionGuard guard,
      Predicate<InetAddress> banned,
      ConnectionRate rate,
      ScheduledExecutorService timers,
      Duration loginTimeout,
      RefusalReports reports) {
    this.guard = guard;
    this.banned = banned;
    this.rate = rate;
    this.timers = timers;
    this.loginTimeout = loginTimeout;
    this.reports = reports;
  }

  @Override
  public void sessionOpened(NextFilter next, IoSession session) throws Exception {
    InetAddress address = address(session);
    ConnectionGuard.Admission admission;
    if (banned.test(address)) {
      admission = new ConnectionGuard.Refused(BANNED, "banned");
    } else if (!rate.take(address)) {
      admission = new ConnectionGuard.Refused(rate.refusal(address), "address_rate");
    } else {
      admission = guard.admit(address, new Waiting(session));
    }
    if (admission instanceof ConnectionGuard.Refused refused) {
      boolean alone = reports.alone(address, refused.cause());
      if (alone) {
        LOG.info(
            "Refused connection from {}: {}",
            address.getHostAddress(),
            refused.reason().toLowerCase(Locale.ROOT));
      }
      SessionEvents.fire(
          session,
          new FtpEvent.ConnectionRefused(
              Instant.now(), SessionEvents.client(session, null, null), refused.cause(), alone));
      session.write(ReplyMapper.reply(421, refused.reason()));
      session.closeOnFlush();
      return;
    }
    SessionEvents.fire(
        session, new FtpEvent.SessionOpened(Instant.now(), SessionEvents.client(session)));
    session.setAttribute(PLACE, ((ConnectionGuard.Admitted) admission).place());
    ScheduledFuture<?> timer =
        timers.schedule(
            () -> closeUnlessLoggedIn(session), loginTimeout.toMillis(), TimeUnit.MILLISECONDS);
    session.setAttribute(LOGIN_TIMER, timer);
    next.sessionOpened(session);
  }

  /**
   * The admitted place of {@code session}, to move into the logged-in budget at login; null if the
   * session was never admitted.
   */
  public static ConnectionGuard.Place place(IoSession session) {
    return session.getAttribute(PLACE) instanceof ConnectionGuard.Place place ? place : null;
  }

  /**
   * A refused connection is closed once its 421 is out, but a client may have sent commands
   * already: they must never reach the FTP handler (a banned address could otherwise try a login).
   */
  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    if (place(session) != null) {
      next.messageReceived(session, message);
    }
  }

  /**
   * A control connection is not idle while its data connection is busy. One that is idle is closed
   * by the FTP handler, which says nothing: the client is told why first (RFC 959's 421).
   */
  @Override
  public void sessionIdle(NextFilter next, IoSession session, IdleStatus status) throws Exception {
    if (session.containsAttribute(TransferRegistry.TRANSFERRING)) {
      return;
    }
    if (session.isConnected() && !session.isClosing()) {
      int seconds = session.getConfig().getIdleTime(status);
      LOG.info(
          "Closing connection from {}: no command for {} s (ftp.idleTimeout)",
          address(session).getHostAddress(),
          seconds);
      session.write(
          ReplyMapper.reply(
              421, "Idle timeout: no command for " + seconds + " seconds, closing connection"));
    }
    next.sessionIdle(session, status);
  }

  @Override
  public void sessionClosed(NextFilter next, IoSession session) throws Exception {
    if (session.getAttribute(LOGIN_TIMER) instanceof ScheduledFuture<?> timer) {
      timer.cancel(false);
    }
    ConnectionGuard.Place place = place(session);
    if (place != null) {
      guard.release(place);
      SessionEvents.fire(
          session,
          new FtpEvent.SessionClosed(
              Instant.now(),
              SessionEvents.client(session),
              Duration.ofMillis(System.currentTimeMillis() - session.getCreationTime())));
    }
    next.sessionClosed(session);
  }

  private void closeUnlessLoggedIn(IoSession session) {
    if (session.containsAttribute(LOGGED_IN) || !session.isConnected()) {
      return;
    }
    LOG.info(
        "Closing connection from {}: no login within {} s",
        address(session).getHostAddress(),
        loginTimeout.toSeconds());
    session.write(
        ReplyMapper.reply(
            421, "Login timeout: no login within " + loginTimeout.toSeconds() + " seconds"));
    session.closeOnFlush();
  }

  /**
   * Reports shed connections at most once a minute: a flood sheds thousands, and one line each
   * would bury the log.
   */
  private void reportShed() {
    long shed = shedSinceReport.incrementAndGet();
    long last = lastShedReport.get();
    long now = System.nanoTime();
    if (now - last >= SHED_REPORT_INTERVAL && lastShedReport.compareAndSet(last, now)) {
      shedSinceReport.addAndGet(-shed);
      LOG.warn(
          "Closed {} connection(s) that had not logged in to make room for new ones: {} are"
              + " waiting to log in, the limit (ftp.maxPreLoginConnections). A flood of idle"
              + " connections looks like this; if these are real clients, raise the limit",
          shed,
          guard.preLoginCount());
    }
  }

  static InetAddress address(IoSession session) {
    return ((InetSocketAddress) session.getRemoteAddress()).getAddress();
  }

  /** A session as the guard sees it while it waits to log in. */
  private final class Waiting implements ConnectionGuard.Connection {
    private final IoSession session;

    Waiting(IoSession session) {
      this.session = session;
    }

    @Override
    public boolean hasSpoken() {
      return session.getReadBytes() > 0;
    }

    @Override
    public long lastActivityMillis() {
      return session.getReadBytes() > 0 ? session.getLastReadTime() : session.getCreationTime();
    }

    @Override
    public void shed() {
      reportShed();
      SessionEvents.fire(
          session,
          new FtpEvent.ConnectionRefused(
              Instant.now(),
              SessionEvents.client(session),
              "idle_shed",
              reports.alone(address(session), "idle_shed")));
      session.write(
          ReplyMapper.reply(
              421, "Too many connections waiting to log in; closing this idle one, reconnect"));
      session.closeOnFlush();
    }
  }
}
