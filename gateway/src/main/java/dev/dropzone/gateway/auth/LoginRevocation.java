package dev.dropzone.gateway.auth;

import java.util.Optional;

/**
 * A user source that can take back a login it granted, because the user was removed, or given a new
 * password, another home, fewer permissions or other scanning after the session logged in. The FTP
 * layer asks every few seconds about each logged-in session and ends those named, so that locking a
 * user out ends the sessions already open, not only later logins.
 *
 * <p>What a login was checked against is a {@link #mark}, taken just before the check, not a time:
 * a change made after the mark is one the login did not see, whatever the clocks do.
 */
public interface LoginRevocation {

  /** What this source knows now; taken before a login's password is checked. */
  long mark();

  /**
   * @param account the account the session logged in as
   * @param mark {@link #mark()} as it was just before its login was checked
   * @return why the session must end (the end of a sentence beginning "your account was"); empty
   *     while it may go on, and when the source cannot tell right now (a source that cannot be read
   *     ends no session)
   */
  Optional<String> revoked(Account account, long mark);
}
