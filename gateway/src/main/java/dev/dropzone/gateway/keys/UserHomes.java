package dev.dropzone.gateway.keys;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.HomePath;
import dev.dropzone.gateway.config.AuthSettings;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Users' homes (their key domains) as key maintenance sees them, without a login: the home the
 * users file gives a user, else the default {@code users/<name>}. Users of PAM or LDAP with other
 * homes are not known here; key records name the domain of users who have one.
 */
public final class UserHomes {

  private final Map<String, String> homes;

  private UserHomes(Map<String, String> homes) {
    this.homes = homes;
  }

  /** The homes of the users file, if the configuration logs users in from it; else none. */
  public static UserHomes of(GatewaySettings settings) throws IOException {
    return settings.auth().uses(AuthSettings.Backend.FILE)
        ? read(settings.usersFile())
        : new UserHomes(Map.of());
  }

  /** The homes in {@code usersFile}; a missing file names none. */
  public static UserHomes read(Path usersFile) throws IOException {
    Map<String, String> homes = new HashMap<>();
    for (UserEntry user : new UsersFile(usersFile).read()) {
      homes.put(user.name(), HomePath.parse(user.toAccount().home()));
    }
    return new UserHomes(homes);
  }

  /** Homes given directly. */
  public static UserHomes of(Map<String, String> homes) {
    return new UserHomes(Map.copyOf(homes));
  }

  /** The home the users file gives {@code user}, if it lists the user. */
  public Optional<String> listed(String user) {
    return Optional.ofNullable(homes.get(user));
  }

  /** The home of {@code user}: the users file's, else the default. */
  public String of(String user) {
    return listed(user).orElseGet(() -> HomePath.parse(Account.defaultHome(user)));
  }
}
