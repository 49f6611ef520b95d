package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.config.AuthSettings;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.KeyRecordStore;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * Whether a user name given to {@code keys rotate} is a user at all, so that a typo does not create
 * a key record for nobody. Known are the users of the users file (the one source that can be
 * listed) and everyone who already has a key record (they logged in through any source).
 */
final class KnownUsers {

  private KnownUsers() {}

  static void require(String user, GatewaySettings settings, KeyRecordStore records)
      throws IOException {
    boolean fileBackend = settings.auth().uses(AuthSettings.Backend.FILE);
    UsersFile file = new UsersFile(settings.usersFile());
    if (fileBackend && file.find(user).isPresent()) {
      return;
    }
    if (records.read(user).isPresent()) {
      return;
    }
    String others =
        settings.auth().backends().stream()
            .filter(b -> b != AuthSettings.Backend.FILE)
            .map(AuthSettings.Backend::configName)
            .collect(Collectors.joining(" and "));
    throw new CommandFailure(
        Main.USAGE,
        "no user '"
            + user
            + "': "
            + (fileBackend ? "not in the users file " + file.path() + ", and " : "")
            + "no key record (nobody of that name has logged in)"
            + (others.isEmpty()
                ? "; check the name ('dropzone users list --file " + file.path() + "')"
                : "; "
                    + others
                    + " users cannot be listed: if '"
                    + user
                    + "' is one who never logged in, re-run with --force"));
  }
}
