package dev.dropzone.gateway.auth;

import java.time.Instant;
import java.util.Optional;

/**
 * A user source that can take back a login it granted, because the user was removed or changed
 * (password, home, permissions, limits) after the session logged in. The FTP layer asks every few
 * seconds about each logged-in session and ends those named, so that removing a user or changing a
 * password locks out the sessions already open, not only later logins.
 */
public interface LoginRevocation {

  /**
   * @param account the account the session logged in as
   * @param loggedIn when it logged in
   * @return why the session must end, for its reply and the log; empty while it may go on, and when
   *     the source cannot tell right now (a source that cannot be read ends no session)
   */
  Optional<String> revoked(Account account, Instant loggedIn);
}
