package dev.dropzone.gateway.users;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.HomePath;
import dev.dropzone.gateway.auth.Permission;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One user of the users file.
 *
 * @param name login name: letters, digits, {@code .}, {@code _}, {@code -}
 * @param passwordHash Argon2id or bcrypt hash, never a password
 * @param home key path of the user's tree under the store prefix; default {@code users/<name>}
 * @param permissions what the user may do; default all
 * @param readOnly when true, only {@code list} and {@code read} apply whatever {@code permissions}
 *     says
 */
@JsonPropertyOrder({"name", "passwordHash", "home", "permissions", "readOnly"})
public record UserEntry(
    String name,
    String passwordHash,
    String home,
    Set<Permission> permissions,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean readOnly) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Set<Permission> READ_ONLY = EnumSet.of(Permission.LIST, Permission.READ);

  public UserEntry {
    checkName(name);
    if (!PasswordHashes.isSupported(passwordHash)) {
      throw new IllegalArgumentException(
          "user '"
              + name
              + "': passwordHash is not an Argon2id ($argon2id$) or bcrypt ($2a$, $2b$, $2y$) hash;"
              + " set it with 'dropzone users passwd'");
    }
    home = home == null || home.isBlank() ? Account.defaultHome(name) : checkHome(name, home);
    permissions =
        permissions == null
            ? EnumSet.allOf(Permission.class)
            : permissions.isEmpty() ? Set.of() : EnumSet.copyOf(permissions);
  }

  /** A user with the default home and all permissions. */
  public static UserEntry of(String name, String passwordHash) {
    return new UserEntry(name, passwordHash, null, null, false);
  }

  public UserEntry withPasswordHash(String newHash) {
    return new UserEntry(name, newHash, home, permissions, readOnly);
  }

  /** What the FTP layer gets after a successful login. */
  public Account toAccount() {
    Set<Permission> effective = EnumSet.noneOf(Permission.class);
    effective.addAll(permissions);
    if (readOnly) {
      effective.retainAll(READ_ONLY);
    }
    return new Account(name, home, effective);
  }

  /** True for names a users file accepts. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
  }

  static void checkName(String name) {
    if (!isValidName(name)) {
      throw new IllegalArgumentException(
          "user name '"
              + name
              + "' is not valid: use 1-64 letters, digits, '.', '_' or '-' (not '.' or '..')");
    }
  }

  /** The same home rules as every other user source, normalised to {@code a/b}. */
  private static String checkHome(String name, String home) {
    try {
      return HomePath.parse(home);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("user '" + name + "': " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "UserEntry[" + name + ", home=" + home + ", permissions=" + permissions + "]";
  }
}
