package dev.dropzone.gateway.users;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scan} in the users file: a user's own choice beats their group's, absent means default.
 */
class UserScanSettingTest {

  private static final String HASH = PasswordHashes.hash("a password".toCharArray());

  @TempDir Path dir;

  @Test
  void theUsersChoiceBeatsTheGroupsAndNeitherLeavesItToTheGateway() throws Exception {
    Path path = dir.resolve("users.yaml");
    Files.writeString(
        path,
        "groups:\n"
            + "  - {name: partners, scan: true}\n"
            + "  - {name: staff, scan: false}\n"
            + "  - {name: plain}\n"
            + "users:\n"
            + user("partner", "group: partners")
            + user("trusted-partner", "group: partners, scan: false")
            + user("employee", "group: staff")
            + user("careful-employee", "group: staff, scan: true")
            + user("member", "group: plain")
            + user("loner", "home: users/loner"));

    UsersFile.Contents contents = new UsersFile(path).contents();
    assertThat(scanOf(contents, "partner")).isTrue();
    assertThat(scanOf(contents, "trusted-partner")).isFalse();
    assertThat(scanOf(contents, "employee")).isFalse();
    assertThat(scanOf(contents, "careful-employee")).isTrue();
    assertThat(scanOf(contents, "member")).as("left to scan.allUsers").isNull();
    assertThat(scanOf(contents, "loner")).as("left to scan.allUsers").isNull();
  }

  private static Boolean scanOf(UsersFile.Contents contents, String name) {
    UserEntry user =
        contents.users().stream().filter(u -> u.name().equals(name)).findFirst().orElseThrow();
    return user.toAccount(contents.group(user.group())).scanUploads();
  }

  @Test
  void theSettingSurvivesRewritesAndIsLeftOutWhenAbsent() throws Exception {
    UsersFile file = new UsersFile(dir.resolve("users.yaml"));
    file.write(
        List.of(
            UserEntry.of("plain", HASH),
            new UserEntry("internal", HASH, null, null, false, null, null, null, false)));
    file.put(file.find("internal").orElseThrow().withPasswordHash(HASH));

    String text = Files.readString(file.path());
    assertThat(text.substring(0, text.indexOf("internal"))).doesNotContain("scan");
    assertThat(file.find("internal").orElseThrow().toAccount().scanUploads()).isFalse();
  }

  private static String user(String name, String extra) {
    return "  - {name: " + name + ", passwordHash: '" + HASH + "', " + extra + "}\n";
  }
}
