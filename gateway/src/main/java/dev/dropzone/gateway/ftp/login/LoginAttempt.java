package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.LoginRevocation;
import dev.dropzone.gateway.ftp.command.ReplyMapper;
import dev.dropzone.gateway.ftp.connection.AdmissionFilter;
import dev.dropzone.gateway.ftp.connection.ConnectionGuard;
import dev.dropzone.gateway.ftp.control.ControlQueue;
import dev.dropzone.gateway.ftp.control.FailureGuard;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.FtpEvent.LoginOutcome;
import dev.dropzone.gateway.ftp.events.SessionEvents;
import dev.dropzone.gateway.logging.LogText;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.ftpserver.ftplet.FileSystemView;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.apache.ftpserver.impl.ServerFtpStatistics;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PASS, from its password check to the answer. Every attempt that does not log in is answered
 * after the failure delay and counts as a failed login, with one exception: when no user source
 * could check the password at all (all down), there was nothing to guess against, so it is delayed
 * but not counted.
 */
final class LoginAttempt implements PasswordChecks.Attempt {

  /** Set on a session while its PASS is being checked. */
  static final String PENDING = "dropzone.loginPending";

  private static final Logger LOG = LoggerFactory.getLogger(LoginAttempt.class);

  private final Logins logins;
  private final FtpIoSession session;
  private final FtpServerContext context;
  private final InetAddress address;
  private final String username;
  private final String password;

  /**
   * What the user source knew just before the password was checked ({@link LoginRevocation#mark}):
   * a change of the user after it is one this login did not see (see {@link RevokedLogins}).
   */
  private long mark;

  /** Answered on the command thread that read the PASS: reading was never suspended. */
  private boolean inline;

  LoginAttempt(
      Logins logins,
      FtpIoSession session,
      FtpServerContext context,
      InetAddress address,
      String username,
      String password) {
    this.logins = logins;
    this.session = session;
    this.context = context;
    this.address = address;
    this.username = username;
    this.password = password;
  }

  /**
   * Answers at once, on the calling command thread, when the user source remembers verifying this
   * name and password a short time ago ({@link
   * dev.dropzone.gateway.auth.Authenticator#recentlyVerified}): no hash to compute, so nothing to
   * cap or queue, and the hand-off to a check thread would only add latency. Only a right password
   * can be answered here; anything else, a banned address or a paused name included, returns false
   * without a reply or any other effect, and the attempt goes to {@link PasswordChecks} as before.
   */
  boolean answerFromMemory() {
    if (!session.isConnected()
        || logins.throttle().verdict(address, username) != LoginThrottle.Verdict.CHECK) {
      return false;
    }
    Optional<Account> account;
    char[] secret = password.toCharArray();
    try {
      mark = mark();
      account = logins.authenticator().recentlyVerified(username, secret);
    } catch (AuthenticationUnavailableException | RuntimeException e) {
      // The full check meets the same problem and answers it.
      return false;
    } finally {
      Arrays.fill(secret, '\0');
    }
    if (account.isEmpty()) {
      return false;
    }
    inline = true;
    accept(account.get());
    return true;
  }

  @Override
  public void run(Runnable done) {
    if (!session.isConnected()) {
      done.run();
      return;
    }
    switch (logins.throttle().verdict(address, username)) {
      case ADDRESS_BANNED -> {
        LOG.info("Login of {} from {} refused: the address is banned", name(), where());
        event(LoginOutcome.BANNED, "the address is banned", null);
        closeWith(AdmissionFilter.BANNED);
        done.run();
        return;
      }
      case NAME_PAUSED -> {
        LOG.info(
            "Login of {} from {} refused unchecked: too many failed logins for this name",
            name(),
            where());
        fail(
            done,
            false,
            "Too many failed logins for this user name, try again later",
            "paused name");
        return;
      }
      case CHECK -> {
        // go on
      }
    }
    Optional<Account> account;
    char[] secret = password.toCharArray();
    try {
      mark = mark();
      account = logins.authenticator().authenticate(username, secret);
    } catch (AuthenticationUnavailableException e) {
      unavailable(e, done);
      return;
    } catch (RuntimeException e) {
      LOG.error("Checking the login of {} failed unexpectedly", name(), e);
      unavailable(new AuthenticationUnavailableException(e.toString(), e), done);
      return;
    } finally {
      Arrays.fill(secret, '\0');
    }
    if (account.isPresent()) {
      accept(account.get());
      done.run();
    } else {
      fail(done, true, "Login incorrect", "wrong user name or password");
    }
  }

  @Override
  public void crashed(Error error) {
    FailureGuard.contain(ControlQueue.connection(session), error);
  }

  @Override
  public void expired(Duration waited) {
    event(LoginOutcome.UNAVAILABLE, "no password check thread was free in time", null);
    LOG.warn(
        "Login of {} from {} given up after waiting {} ms for a password check: all {} check"
            + " thread(s) stayed busy longer than auth.checkQueueTimeout. Under a login flood this"
            + " is the throttle working; otherwise raise auth.maxConcurrentChecks (and the heap)",
        name(),
        where(),
        waited.toMillis(),
        logins.checks().concurrency());
    closeWith("Login service busy, try again later");
  }

  private void accept(Account account) {
    if (!session.isConnected()) {
      return;
    }
    AccountUser user =
        new AccountUser(
            account.backend() == null ? account.from(logins.authenticator().backend()) : account,
            logins.maxIdleSeconds());
    if (!logins.sessions().tryOpen(session, user.account(), mark)) {
      LOG.info(
          "Login of {} from {} refused: already {} session(s), the limit; the user must close one"
              + " or the limit (maxSessions) be raised",
          name(),
          where(),
          account.limits().maxSessions());
      event(LoginOutcome.REFUSED, "too many sessions for the user", account);
      answer(
          530,
          "Too many sessions for user "
              + account.username()
              + " (limit "
              + account.limits().maxSessions()
              + "); close another session first");
      return;
    }
    FileSystemView view;
    try {
      view = context.getFileSystemManager().createFileSystemView(user);
    } catch (FtpException e) {
      logins.sessions().close(session);
      event(LoginOutcome.REFUSED, "the home directory is not usable", account);
      answer(550, "Your home directory is not usable: " + e.getMessage());
      return;
    }
    ConnectionGuard.Place place = AdmissionFilter.place(session);
    String full = place == null ? "Connection was not admitted" : logins.guard().logIn(place);
    if (full != null) {
      logins.sessions().close(session);
      LOG.info("Login of {} from {} refused: {}", name(), where(), full);
      event(LoginOutcome.REFUSED, full, account);
      closeWith(full);
      return;
    }
    // The view first: a session that counts as logged in always has its file system.
    session.setLogin(view);
    session.setUser(user);
    session.setUserArgument(null);
    session.setMaxIdleTime(user.getMaxIdleTime());
    session.setAttribute(AdmissionFilter.LOGGED_IN, Boolean.TRUE);
    ((ServerFtpStatistics) context.getFtpStatistics()).setLogin(session);
    logins.throttle().succeeded(address, username);
    LOG.info("Login of {} from {}", name(), where());
    event(LoginOutcome.OK, null, account);
    resumeAfter(session.write(ReplyMapper.reply(230, "Logged in as " + account.username())));
  }

  /**
   * A failed login: counted, then answered after the delay (or at once with a ban).
   *
   * @param checked whether a password was checked and refused
   */
  private void fail(Runnable done, boolean checked, String reply, String why) {
    if (logins.throttle().failed(address, username, checked)) {
      banned(done, why);
      return;
    }
    LOG.info("Failed login as {} from {}: {}", name(), where(), why);
    event(LoginOutcome.FAILED, why, null);
    later(() -> answer(530, reply), done);
  }

  private void unavailable(AuthenticationUnavailableException e, Runnable done) {
    LOG.warn(
        "Login of {} from {} could not be checked: {}; check the user source",
        name(),
        where(),
        e.getMessage());
    if (e.passwordChecked() && logins.throttle().failed(address, username, true)) {
      banned(done, "the user source could not answer");
      return;
    }
    event(LoginOutcome.UNAVAILABLE, "the user source could not answer", null);
    later(() -> closeWith("Login service unavailable, try again later"), done);
  }

  private void banned(Runnable done, String why) {
    event(LoginOutcome.BANNED, why + "; the address is now banned", null);
    LOG.warn(
        "Banned {} for {} s after repeated failed logins (last as {}); if legitimate, the user"
            + " must wait or the server be restarted",
        logins.throttle().networks().span(address),
        logins.throttle().banDuration().toSeconds(),
        name());
    closeWith(AdmissionFilter.BANNED);
    done.run();
  }

  /** Runs {@code answer} after the failure delay, then lets the address's next attempt go. */
  private void later(Runnable answer, Runnable done) {
    logins
        .timers()
        .schedule(
            () -> {
              try {
                answer.run();
              } finally {
                done.run();
              }
            },
            logins.failureDelay().toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /** Answers without logging in; the client may try again on this connection. */
  private void answer(int code, String text) {
    session.reinitialize();
    resumeAfter(session.write(ReplyMapper.reply(code, text)));
  }

  private void closeWith(String text) {
    session.removeAttribute(PENDING);
    session.reinitialize();
    session.write(ReplyMapper.reply(421, text));
    session.closeOnFlush();
  }

  /**
   * Reads from the client again once {@code reply} has gone out. MINA updates a connection's
   * selector interest without a lock: resuming from this thread while the I/O thread flushes the
   * reply could lose the read interest and leave the connection deaf. The write's listener runs on
   * the I/O thread that flushed it (or here, when the reply went out already and that thread is
   * done with it).
   */
  private void resumeAfter(WriteFuture reply) {
    session.removeAttribute(PENDING);
    if (inline) {
      return;
    }
    ControlQueue.release(session);
    reply.addListener(written -> resumeRead(ControlQueue.connection(session)));
  }

  /**
   * Restores the read interest and wakes the connection's I/O thread. A selector applies a changed
   * interest only when it next selects, and MINA's I/O thread waits in a select of up to 1 s: when
   * the listener ran here because the reply was already out, the client's next command sat unread
   * until that select timed out (measured: about one login in eight had its next command answered 1
   * s late). A flush request wakes the I/O thread; with nothing queued it writes nothing.
   */
  private static void resumeRead(IoSession connection) {
    connection.resumeRead();
    if (connection instanceof AbstractIoSession own) {
      own.getProcessor().flush(own);
    }
  }

  /**
   * Fires the attempt's event.
   *
   * @param account the account whose password was right, else null
   */
  private void event(LoginOutcome outcome, String detail, Account account) {
    String backend =
        account != null && account.backend() != null
            ? account.backend()
            : logins.authenticator().backend();
    SessionEvents.fire(
        session,
        new FtpEvent.Login(
            Instant.now(), SessionEvents.client(session, username, backend), outcome, detail));
  }

  private long mark() {
    return logins.authenticator() instanceof LoginRevocation revocation ? revocation.mark() : 0;
  }

  private String name() {
    return LogText.of(username);
  }

  private String where() {
    return address.getHostAddress();
  }
}
