package dev.dropzone.gateway.auth;

import java.util.Objects;
import java.util.Set;

/**
 * An authenticated user as the FTP layer sees it.
 *
 * @param username login name; also the owner recorded in {@code dz-user}
 * @param home key path under the store prefix, e.g. {@code users/alice}
 * @param permissions what the user may do
 * @param limits sessions and quota; {@link AccountLimits#NONE} when the source sets none
 * @param scanUploads whether the user's uploads are malware-scanned; null: the gateway's default
 *     ({@code scan.allUsers})
 * @param backend the user source that accepted the login, as named in {@code auth.backends} ({@code
 *     file}, {@code pam}, {@code ldap}); null until {@link ChainedAuthenticator} or the source
 *     itself says
 */
public record Account(
    String username,
    String home,
    Set<Permission> permissions,
    AccountLimits limits,
    Boolean scanUploads,
    String backend) {
  public Account {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(home, "home");
    permissions = Set.copyOf(permissions);
    limits = limits == null ? AccountLimits.NONE : limits;
  }

  /** An account whose source is not named yet. */
  public Account(
      String username,
      String home,
      Set<Permission> permissions,
      AccountLimits limits,
      Boolean scanUploads) {
    this(username, home, permissions, limits, scanUploads, null);
  }

  /** An account that leaves scanning to the gateway's default. */
  public Account(String username, String home, Set<Permission> permissions, AccountLimits limits) {
    this(username, home, permissions, limits, null);
  }

  /** An account without limits (the form PAM and LDAP accounts take). */
  public Account(String username, String home, Set<Permission> permissions) {
    this(username, home, permissions, AccountLimits.NONE);
  }

  /** This account as accepted by the user source named {@code source}. */
  public Account from(String source) {
    return new Account(username, home, permissions, limits, scanUploads, source);
  }

  public boolean may(Permission permission) {
    return permissions.contains(permission);
  }

  /** The default home of a user: {@code users/<username>}. */
  public static String defaultHome(String username) {
    return "users/" + username;
  }
}
