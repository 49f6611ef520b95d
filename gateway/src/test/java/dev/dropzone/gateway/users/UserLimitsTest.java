package dev.dropzone.gateway.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.auth.AccountLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** maxSessions and quota in the users file: read, written back, validated. */
class UserLimitsTest {

  private static final String HASH = PasswordHashes.hash("a password".toCharArray());

  @TempDir Path dir;

  @Test
  void limitsAreReadIntoTheAccount() throws Exception {
    Path path = dir.resolve("users.yaml");
    Files.writeString(
        path,
        "users:\n"
            + "  - name: alice\n"
            + "    passwordHash: '"
            + HASH
            + "'\n"
            + "    maxSessions: 2\n"
            + "    quota:\n"
            + "      bytes: 1GiB\n"
            + "      files: 500\n"
            + "  - name: bob\n"
            + "    passwordHash: '"
            + HASH
            + "'\n"
            + "    quota: {bytes: 4096}\n");

    List<UserEntry> users = new UsersFile(path).read();

    assertThat(users.get(0).toAccount().limits()).isEqualTo(new AccountLimits(2, 1L << 30, 500));
    assertThat(users.get(1).toAccount().limits()).isEqualTo(new AccountLimits(0, 4096, 0));
  }

  @Test
  void usersWithoutLimitsAreWrittenAsBeforeAndLimitsSurviveAPasswordChange() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(
        List.of(
            UserEntry.of("plain", HASH),
            new UserEntry(
                "capped", HASH, null, null, false, 3, new UserEntry.Quota("5MiB", null))));
    file.put(file.find("capped").orElseThrow().withPasswordHash(HASH));

    String text = Files.readString(file.path());
    assertThat(text.substring(0, text.indexOf("capped"))).doesNotContain("quota", "maxSessions");
    assertThat(file.find("capped").orElseThrow().toAccount().limits())
        .isEqualTo(new AccountLimits(3, 5L << 20, 0));
    assertThat(file.find("plain").orElseThrow().toAccount().limits()).isEqualTo(AccountLimits.NONE);
  }

  @Test
  void badLimitsNameTheField() {
    assertThatThrownBy(() -> new UserEntry.Quota("lots", null))
        .hasMessageContaining("'lots' is not a size");
    assertThatThrownBy(() -> new UserEntry.Quota(null, 0L))
        .hasMessageContaining("quota.files must be at least 1");
    assertThatThrownBy(() -> new UserEntry("x", HASH, null, null, false, -1, null))
        .hasMessageContaining("maxSessions must be 0 (no limit) or more");
  }
}
