package dev.dropzone.gateway.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.auth.AccountLimits;
import dev.dropzone.gateway.auth.Permission;
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
                "capped", HASH, null, null, false, 3, new UserEntry.Quota("5MiB", null), null)));
    file.put(file.find("capped").orElseThrow().withPasswordHash(HASH));

    String text = Files.readString(file.path());
    assertThat(text.substring(0, text.indexOf("capped"))).doesNotContain("quota", "maxSessions");
    assertThat(file.find("capped").orElseThrow().toAccount().limits())
        .isEqualTo(new AccountLimits(3, 5L << 20, 0));
    assertThat(file.find("plain").orElseThrow().toAccount().limits()).isEqualTo(AccountLimits.NONE);
  }

  @Test
  void aGroupNarrowsPermissionsAndGivesLimitsToMembersWithoutTheirOwn() throws Exception {
    Path path = dir.resolve("users.yaml");
    Files.writeString(
        path,
        "groups:\n"
            + "  - name: partners\n"
            + "    permissions: [list, read, write]\n"
            + "    maxSessions: 2\n"
            + "    quota: {bytes: 1MiB, files: 10}\n"
            + "  - name: auditors\n"
            + "    readOnly: true\n"
            + "users:\n"
            + "  - {name: p1, passwordHash: '"
            + HASH
            + "', group: partners}\n"
            + "  - {name: p2, passwordHash: '"
            + HASH
            + "', group: partners, maxSessions: 5, permissions: [list, delete]}\n"
            + "  - {name: a1, passwordHash: '"
            + HASH
            + "', group: auditors}\n");
    FileAuthenticator auth = new FileAuthenticator(new UsersFile(path));

    var p1 = auth.authenticate("p1", "a password".toCharArray()).orElseThrow();
    assertThat(p1.permissions())
        .containsExactlyInAnyOrder(Permission.LIST, Permission.READ, Permission.WRITE);
    assertThat(p1.limits()).isEqualTo(new AccountLimits(2, 1L << 20, 10));
    var p2 = auth.authenticate("p2", "a password".toCharArray()).orElseThrow();
    assertThat(p2.permissions()).containsExactly(Permission.LIST);
    assertThat(p2.limits()).isEqualTo(new AccountLimits(5, 1L << 20, 10));
    var a1 = auth.authenticate("a1", "a password".toCharArray()).orElseThrow();
    assertThat(a1.permissions()).containsExactlyInAnyOrder(Permission.LIST, Permission.READ);

    // Editing users through the command line keeps the groups.
    UsersFile file = new UsersFile(path);
    file.put(UserEntry.of("newcomer", HASH));
    assertThat(file.contents().groups())
        .extracting(GroupEntry::name)
        .containsExactly("partners", "auditors");
    assertThat(auth.authenticate("p1", "a password".toCharArray()).orElseThrow().limits())
        .isEqualTo(new AccountLimits(2, 1L << 20, 10));
  }

  @Test
  void aUserInAnUndefinedGroupMakesTheFileInvalid() throws Exception {
    Path path = dir.resolve("users.yaml");
    Files.writeString(
        path, "users:\n  - {name: p1, passwordHash: '" + HASH + "', group: nobody}\n");

    assertThatThrownBy(() -> new UsersFile(path).read())
        .isInstanceOf(InvalidUsersFileException.class)
        .hasMessageContaining(
            "user 'p1' is in group 'nobody', which is not defined under 'groups'");
  }

  @Test
  void badLimitsNameTheField() {
    assertThatThrownBy(() -> new UserEntry.Quota("lots", null))
        .hasMessageContaining("'lots' is not a size");
    assertThatThrownBy(() -> new UserEntry.Quota(null, 0L))
        .hasMessageContaining("quota.files must be at least 1");
    assertThatThrownBy(() -> new UserEntry("x", HASH, null, null, false, -1, null, null))
        .hasMessageContaining("maxSessions must be 0 (no limit) or more");
  }
}
