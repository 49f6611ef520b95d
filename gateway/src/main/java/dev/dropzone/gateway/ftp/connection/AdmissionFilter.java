package dev.dropzone.gateway.ftp.connection;

import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.ftp.transfer.TransferRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs before the FTP handler sees a connection: refuses it with 421 when the {@link
 * ConnectionGuard} says so (instead of the 220 greeting), and closes connections that have not
 * logged in within the login timeout.
 */
public final class AdmissionFilter extends IoFilterAdapter {

  /** Set on the session by the login command once a user has logged in. */
  public static final String LOGGED_IN = "dropzone.loggedIn";

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionFilter.class);
  private static final String ADMITTED = "dropzone.admitted";
  private static final String LOGIN_TIMER = "dropzone.loginTimer";

  private final ConnectionGuard guard;
  private final ScheduledExecutorService timers;
  private final Duration loginTimeout;

  public AdmissionFilter(
      ConnectionGuard guard, ScheduledExecutorService timers, Duration loginTimeout) {
    this.guard = guard;
    this.timers = timers;
    this.loginTimeout = loginTimeout;
  }

  @Override
  public void sessionOpened(NextFilter next, IoSession session) throws Exception {
    InetAddress address = address(session);
    Optional<String> refusal = guard.admit(address);
    if (refusal.isPresent()) {
      LOG.info(
          "Refused connection from {}: {}",
          address.getHostAddress(),
          refusal.get().toLowerCase(java.util.Locale.ROOT));
      session.write(ReplyMapper.reply(421, refusal.get()));
      session.closeOnFlush();
      return;
    }
    session.setAttribute(ADMITTED, address);
    ScheduledFuture<?> timer =
        timers.schedule(
            () -> closeUnlessLoggedIn(session), loginTimeout.toMillis(), TimeUnit.MILLISECONDS);
    session.setAttribute(LOGIN_TIMER, timer);
    next.sessionOpened(session);
  }

  /** A control connection is not idle while its data connection is busy. */
  @Override
  public void sessionIdle(NextFilter next, IoSession session, IdleStatus status) throws Exception {
    if (session.containsAttribute(TransferRegistry.TRANSFERRING)) {
      return;
    }
    next.sessionIdle(session, status);
  }

  @Override
  public void sessionClosed(NextFilter next, IoSession session) throws Exception {
    if (session.getAttribute(LOGIN_TIMER) instanceof ScheduledFuture<?> timer) {
      timer.cancel(false);
    }
    if (session.getAttribute(ADMITTED) instanceof InetAddress address) {
      guard.release(address);
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

  static InetAddress address(IoSession session) {
    return ((InetSocketAddress) session.getRemoteAddress()).getAddress();
  }
}
