package dev.dropzone.it;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.auth.Permission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Two users with every permission and the same test password, each in the default home. */
final class ContractUsers implements Authenticator {

  static final String PASSWORD = "contract password";
  static final Set<String> NAMES = Set.of("alice", "bob");

  @Override
  public Optional<Account> authenticate(String username, char[] password) {
    if (!NAMES.contains(username) || !PASSWORD.equals(new String(password))) {
      return Optional.empty();
    }
    return Optional.of(
        new Account(username, Account.defaultHome(username), EnumSet.allOf(Permission.class)));
  }
}
