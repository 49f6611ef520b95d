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
   * The name of this user source as {@code auth.backends} lists it ({@code file}, {@code pam},
   * {@code ldap}; for a chain, its sources joined by {@code +}), for the audit log and metrics of
   * logins that no source accepted. Sources built outside the configuration are {@code custom}.
   */
  default String backend() {
    return "custom";
  }
}
