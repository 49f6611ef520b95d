package dev.dropzone.bench.child;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.auth.Permission;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Optional;

/** The one user of a benchmark run, with every permission and a password given at start. */
final class BenchUser implements Authenticator {

  private final String name;
  private final byte[] password;

  BenchUser(String name, String password) {
    this.name = name;
    this.password = password.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Optional<Account> authenticate(String username, char[] given) {
    byte[] candidate = new String(given).getBytes(StandardCharsets.UTF_8);
    if (!name.equals(username) || !MessageDigest.isEqual(password, candidate)) {
      return Optional.empty();
    }
    return Optional.of(
        new Account(username, Account.defaultHome(username), EnumSet.allOf(Permission.class)));
  }
}
