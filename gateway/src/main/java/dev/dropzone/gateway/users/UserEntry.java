package dev.dropzone.gateway.users;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AccountLimits;
import dev.dropzone.gateway.auth.HomePath;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.config.ByteSize;
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
 * @param maxSessions FTP sessions the user may hold at once; absent or 0: no limit
 * @param quota how much the user's home may hold; absent: no quota
 * @param group the group whose settings the user shares, or null
 * @param scan whether the user's uploads are malware-scanned; absent: the group's choice, else
 *     {@code scan.allUsers}
 */
@JsonPropertyOrder({
  "name",
  "passwordHash",
  "home",
  "permissions",
  "readOnly",
  "maxSessions",
  "quota",
  "group",
  "scan"
})
public record UserEntry(
    String name,
    String passwordHash,
    String home,
    Set<Permission> permissions,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean readOnly,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer maxSessions,
    @JsonInclude(JsonInclude.Include.NON_NULL) Quota quota,
    @JsonInclude(JsonInclude.Include.NON_NULL) String group,
    @JsonInclude(JsonInclude.Include.NON_NULL) Boolean scan) {

  /**
   * A storage quota; either part may be left out.
   *
   * @param bytes plaintext size the home may hold, e.g. {@code 5GiB} or a byte count
   * @param files number of files the home may hold
   */
  public record Quota(
      @JsonInclude(JsonInclude.Include.NON_NULL) String bytes,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long files) {
    public Quota {
      if (bytes != null) {
        byteLimit(bytes);
      }
      if (files != null && files < 1) {
        throw new IllegalArgumentException("quota.files must be at least 1, got " + files);
      }
    }

    long byteLimit() {
      return bytes == null ? 0 : byteLimit(bytes);
    }

    private static long byteLimit(String bytes) {
      long limit = ByteSize.parse(bytes).bytes();
      if (limit < 1) {
        throw new IllegalArgumentException(
            "quota.bytes must be at least 1 byte (use readOnly for none), got " + bytes);
      }
      return limit;
    }
  }

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
    if (maxSessions != null && maxSessions < 0) {
      throw new IllegalArgumentException(
          "user '" + name + "': maxSessions must be 0 (no limit) or more, got " + maxSessions);
    }
    home = home == null || home.isBlank() ? Account.defaultHome(name) : checkHome(name, home);
    permissions =
        permissions == null
            ? EnumSet.allOf(Permission.class)
            : permissions.isEmpty() ? Set.of() : EnumSet.copyOf(permissions);
  }

  /** A user without a scan setting of their own. */
  public UserEntry(
      String name,
      String passwordHash,
      String home,
      Set<Permission> permissions,
      boolean readOnly,
      Integer maxSessions,
      Quota quota,
      String group) {
    this(name, passwordHash, home, permissions, readOnly, maxSessions, quota, group, null);
  }

  /** A user without limits. */
  public UserEntry(
      String name,
      String passwordHash,
      String home,
      Set<Permission> permissions,
      boolean readOnly) {
    this(name, passwordHash, home, permissions, readOnly, null, null, null);
  }

  /** A user with the default home and all permissions. */
  public static UserEntry of(String name, String passwordHash) {
    return new UserEntry(name, passwordHash, null, null, false);
  }

  public UserEntry withPasswordHash(String newHash) {
    return new UserEntry(
        name, newHash, home, permissions, readOnly, maxSessions, quota, group, scan);
  }

  /** What the FTP layer gets after a successful login, for a user without a group. */
  public Account toAccount() {
    return toAccount(null);
  }

  /**
   * What the FTP layer gets after a successful login.
   *
   * @param membership the user's group, or null: it narrows permissions and fills in limits the
   *     user does not set
   */
  public Account toAccount(GroupEntry membership) {
    Set<Permission> effective = EnumSet.noneOf(Permission.class);
    effective.addAll(permissions);
    if (membership != null && membership.permissions() != null) {
      effective.retainAll(membership.permissions());
    }
    if (readOnly || (membership != null && membership.readOnly())) {
      effective.retainAll(READ_ONLY);
    }
    Integer sessions =
        maxSessions != null || membership == null ? maxSessions : membership.maxSessions();
    Quota limit = quota != null || membership == null ? quota : membership.quota();
    Boolean scanned = scan != null || membership == null ? scan : membership.scan();
    return new Account(
        name,
        home,
        effective,
        new AccountLimits(
            sessions == null ? 0 : sessions,
            limit == null ? 0 : limit.byteLimit(),
            limit == null || limit.files() == null ? 0 : limit.files()),
        scanned);
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
    return "UserEntry["
        + name
        + ", home="
        + home
        + ", permissions="
        + permissions
        + (maxSessions == null ? "" : ", maxSessions=" + maxSessions)
        + (quota == null ? "" : ", " + quota)
        + "]";
  }
}
