package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.auth.Account;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ftpserver.impl.FtpIoSession;

/**
 * Counts each user's logged-in sessions so {@code maxSessions} can be enforced at login. A session
 * gives its place back when its connection closes, or when it logs in again (REIN, USER/PASS).
 */
public final class UserSessions {

  private static final String LEASE = UserSessions.class.getName() + ".lease";

  private final ConcurrentMap<String, Integer> open = new ConcurrentHashMap<>();

  /**
   * Takes a place for {@code account} in {@code session} unless the user already holds {@code
   * maxSessions} others.
   *
   * @return false when the limit is reached; nothing was taken then
   */
  public boolean tryOpen(FtpIoSession session, Account account) {
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
    Lease lease = new Lease(user);
    session.setAttribute(LEASE, lease);
    session.getCloseFuture().addListener(future -> lease.release());
    return true;
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
    private final String user;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(String user) {
      this.user = user;
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        open.computeIfPresent(user, (name, count) -> count <= 1 ? null : count - 1);
      }
    }
  }
}
