package dev.dropzone.gateway.ftp;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AccountLimits;
import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.auth.Permission;
import java.util.EnumSet;
import java.util.Optional;

/**
 * Users for scanning tests: {@code alice} takes the gateway's default, {@code internal} has
 * scanning switched off, {@code partner} has it switched on.
 */
final class ScanUsers implements Authenticator {

  @Override
  public Optional<Account> authenticate(String username, char[] password) {
    if (!TestUsers.PASSWORD.equals(new String(password))) {
      return Optional.empty();
    }
    Boolean scan =
        switch (username) {
          case "alice" -> null;
          case "internal" -> Boolean.FALSE;
          case "partner" -> Boolean.TRUE;
          default -> null;
        };
    if (!username.equals("alice") && scan == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Account(
            username,
            Account.defaultHome(username),
            EnumSet.allOf(Permission.class),
            AccountLimits.NONE,
            scan));
  }
}
