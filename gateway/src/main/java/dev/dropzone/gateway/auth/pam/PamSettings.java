package dev.dropzone.gateway.auth.pam;

import dev.dropzone.gateway.auth.HomePath;
import dev.dropzone.gateway.auth.Permission;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How the PAM backend checks Linux system users.
 *
 * @param service PAM service name, i.e. the file {@code /etc/pam.d/<service>}; default {@code
 *     dropzone}. The file must exist: PAM would otherwise fall back to {@code other}, which lets
 *     root and no-login accounts in.
 * @param minimumUid accounts with a lower UID (system accounts) are refused; default 1000
 * @param refusedShells accounts whose login shell is one of these are refused; default {@code
 *     /usr/sbin/nologin}, {@code /sbin/nologin}, {@code /bin/false}, {@code /usr/bin/false}
 * @param homePrefix a user's home is {@code <homePrefix>/<name>}; default {@code users}
 * @param permissions what every PAM user may do; default all
 * @param serviceDirectories where PAM looks for service files, searched in order for {@code
 *     service}; default {@code /etc/pam.d}, {@code /usr/lib/pam.d}
 */
public record PamSettings(
    String service,
    int minimumUid,
    Set<String> refusedShells,
    String homePrefix,
    Set<Permission> permissions,
    List<Path> serviceDirectories) {

  public static final String DEFAULT_SERVICE = "dropzone";
  public static final int DEFAULT_MINIMUM_UID = 1000;
  public static final Set<String> DEFAULT_REFUSED_SHELLS =
      Set.of("/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false");
  public static final List<Path> DEFAULT_SERVICE_DIRECTORIES =
      List.of(Path.of("/etc/pam.d"), Path.of("/usr/lib/pam.d"));

  public PamSettings {
    Objects.requireNonNull(service, "service");
    if (service.isEmpty() || service.contains("/") || service.startsWith(".")) {
      throw new IllegalArgumentException(
          "PAM service name '" + service + "' must be a plain file name in /etc/pam.d");
    }
    // uid 0 is root; a minimum of 0 would leave only the name check between root and the gateway.
    if (minimumUid < 1) {
      throw new IllegalArgumentException("PAM minimum UID must be at least 1, got " + minimumUid);
    }
    refusedShells = Set.copyOf(refusedShells);
    Objects.requireNonNull(homePrefix, "homePrefix");
    if (!homePrefix.isEmpty()) {
      try {
        HomePath.parse(homePrefix);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("PAM home prefix: " + e.getMessage(), e);
      }
    }
    permissions = Set.copyOf(permissions);
    serviceDirectories = List.copyOf(serviceDirectories);
  }

  /** The defaults described above. */
  public static PamSettings defaults() {
    return new PamSettings(
        DEFAULT_SERVICE,
        DEFAULT_MINIMUM_UID,
        DEFAULT_REFUSED_SHELLS,
        "users",
        EnumSet.allOf(Permission.class),
        DEFAULT_SERVICE_DIRECTORIES);
  }

  public PamSettings withService(String newService) {
    return new PamSettings(
        newService, minimumUid, refusedShells, homePrefix, permissions, serviceDirectories);
  }
}
