package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.auth.Account;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * The logged-in sessions: counted per user so {@code maxSessions} can be enforced at login, and
 * listed so that logins a user source takes back can be ended ({@link RevokedLogins}). A session
 * gives its place back when its connection closes, or when it logs in again (REIN, USER/PASS).
 */
public final class UserSessions {

  /**
   * A logged-in session.
   *
   * @param account what it logged in as
   * @param mark what its user source knew just before the login was checked ({@link
   *     dev.dropzone.gateway.auth.LoginRevocation#mark})
   */
  public record Login(FtpIoSession session, Account account, long mark) {}

  private static final String LEASE = UserSessions.class.getName() + ".lease";

  private final ConcurrentMap<String, Integer> open = new ConcurrentHashMap<>();
  private final Set<Lease> leases = ConcurrentHashMap.newKeySet();

  /**
   * Takes a place for {@code account} in {@code session} unless the user already holds {@code
   * maxSessions} others.
   *
   * @return false when the limit is reached; nothing was taken then
   */
  public boolean tryOpen(FtpIoSession session, Account account, long mark) {
    if (session.getAttribute(LEASE) instanceof Lease previous) {
      previous.release();
    }
    String user = account.username();
    int limit = account.limits().maxSessions();
    boolean[] admitted = {false};
    open.compute(
        user,
        (name, count) -> {
          int current = count == null ? 0 : count;
          if (limit > 0 && current >= limit) {
            return count;
          }
          admitted[0] = true;
          return current + 1;
        });
    if (!admitted[0]) {
      return false;
    }
    Lease lease = new Lease(new Login(session, account, mark));
    leases.add(lease);
    session.setAttribute(LEASE, lease);
    session.getCloseFuture().addListener(future -> lease.release());
    return true;
  }

  /** Whether {@code login} is still what its session is logged in as (no REIN or new login). */
  public boolean current(Login login) {
    return login.session().getAttribute(LEASE) instanceof Lease lease
        && lease.login == login
        && !lease.released.get();
  }

  /** The sessions logged in now. */
  public List<Login> logins() {
    return leases.stream().map(lease -> lease.login).toList();
  }

  /** Gives back the place {@code session} holds, if any (its login did not complete). */
  public void close(FtpIoSession session) {
    if (session.getAttribute(LEASE) instanceof Lease lease) {
      lease.release();
    }
  }

  /** Sessions {@code user} holds now. */
  public int count(String user) {
    return open.getOrDefault(user, 0);
  }

  private final class Lease {
    private final Login login;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(Login login) {
      this.login = login;
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        leases.remove(this);
        open.computeIfPresent(
            login.account().username(), (name, count) -> count <= 1 ? null : count - 1);
      }
    }
  }
}
