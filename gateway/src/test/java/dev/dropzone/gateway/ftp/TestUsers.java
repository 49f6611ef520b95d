package dev.dropzone.gateway.ftp;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.auth.Permission;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fixed users for tests: {@code alice} and {@code bob} may do everything, {@code reader} may only
 * list and read, {@code dropbox} may only upload; the user {@code outage} stands for a user source
 * that cannot answer.
 */
final class TestUsers implements Authenticator {

  static final String PASSWORD = "correct horse";
  static final String OUTAGE = "outage";

  private static final Map<String, Set<Permission>> USERS =
      Map.of(
          "alice", EnumSet.allOf(Permission.class),
          "bob", EnumSet.allOf(Permission.class),
          "reader", EnumSet.of(Permission.LIST, Permission.READ),
          "dropbox", EnumSet.of(Permission.WRITE));

  @Override
  public Optional<Account> authenticate(String username, char[] password)
      throws AuthenticationUnavailableException {
    if (username.equals(OUTAGE)) {
      throw new AuthenticationUnavailableException("test user source is down", null);
    }
    Set<Permission> permissions = USERS.get(username);
    if (permissions == null || !PASSWORD.equals(new String(password))) {
      return Optional.empty();
    }
    return Optional.of(new Account(username, Account.defaultHome(username), permissions));
  }

  /** The name audit lines and metrics give this source. */
  @Override
  public String backend() {
    return "test";
  }
}
