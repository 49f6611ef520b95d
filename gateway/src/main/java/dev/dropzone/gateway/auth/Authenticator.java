package dev.dropzone.gateway.auth;

import java.util.Optional;

/**
 * Checks a username and password against one user source (users file, PAM, LDAP). Implementations
 * never log passwords and take the same time for unknown users as for wrong passwords where they
 * can.
 */
public interface Authenticator {

  /**
   * @return the account when the credentials are valid, empty when they are not
   * @throws AuthenticationUnavailableException when the source cannot answer (LDAP down, file
   *     unreadable); the FTP layer replies 421 instead of counting a failed login
   */
  Optional<Account> authenticate(String username, char[] password)
      throws AuthenticationUnavailableException;

  /**
   * The account, answered from this source's memory of a recent successful check of the same name
   * and password (see {@code auth.credentialCacheTtl}) without checking the password again; empty
   * when the password would have to be checked (never verified, forgotten, or a source that
   * remembers nothing). Must be cheap: the FTP layer calls it on a command thread, before it hands
   * the login to the password-check threads.
   *
   * @throws AuthenticationUnavailableException when the source cannot tell
   */
  default Optional<Account> recentlyVerified(String username, char[] password)
      throws AuthenticationUnavailableException {
    return Optional.empty();
  }

  /**
   * The name of this user source as {@code auth.backends} lists it ({@code file}, {@code pam},
   * {@code ldap}; for a chain, its sources joined by {@code +}), for the audit log and metrics of
   * logins that no source accepted. Sources built outside the configuration are {@code custom}.
   */
  default String backend() {
    return "custom";
  }
}
