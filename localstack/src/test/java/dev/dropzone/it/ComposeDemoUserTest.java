package dev.dropzone.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.UsersFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No password is committed for {@code docker compose up}: the users-init service makes the demo
 * user with a generated password on the first start, prints it once, and the gateways mount the
 * file it wrote.
 */
class ComposeDemoUserTest {

  static final String SCRIPT = "localstack/compose/users-init.sh";
  private static final Path JAR = RepositoryFiles.resolve("gateway/target/dropzone.jar");
  private static final Pattern PASSWORD =
      Pattern.compile("Demo user: demo password: ([A-Za-z0-9]{20}) \\(shown once");

  @TempDir Path dir;

  @Test
  void theFirstStartGeneratesTheDemoPasswordAndLaterStartsKeepIt() throws Exception {
    Assumptions.assumeTrue(
        Files.isRegularFile(JAR), "the gateway jar is built in the package phase (mvn verify)");
    Path users = dir.resolve("users/users.yaml");
    Map<String, String> env =
        Map.of(
            "DROPZONE_JAR", JAR.toString(),
            "USERS_FILE", users.toString(),
            "PATH", javaBin() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));

    CommandRun first = CommandRun.of(RepositoryFiles.root(), env, List.of("sh", SCRIPT));
    CommandRun second = CommandRun.of(RepositoryFiles.root(), env, List.of("sh", SCRIPT));

    assertThat(first.exitCode()).as(first.output()).isZero();
    Matcher password = PASSWORD.matcher(first.output());
    assertThat(password.find()).as(first.output()).isTrue();
    FileAuthenticator file = new FileAuthenticator(new UsersFile(users));
    assertThat(file.authenticate("demo", password.group(1).toCharArray()))
        .map(Account::home)
        .contains("users/demo");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users)))
        .isEqualTo("rw-------");
    assertThat(second.exitCode()).as(second.output()).isZero();
    assertThat(second.output()).contains("passwords unchanged").doesNotContain("password: ");
    assertThat(file.authenticate("demo", password.group(1).toCharArray())).isPresent();
  }

  @Test
  void noPasswordIsCommittedAndEveryGatewayReadsTheUsersFileTheInitServiceWrites()
      throws Exception {
    ComposeFile compose = ComposeFile.read();
    String volume = "dropzone-users:/var/lib/dropzone/users";

    assertThat(RepositoryFiles.resolve("localstack/compose/users.yaml")).doesNotExist();
    assertThat(RepositoryFiles.read(ComposeFile.PATH)).doesNotContain("dropzone-demo");
    assertThat(compose.strings("users-init", "volumes")).contains(volume);
    for (String gateway : compose.gateways()) {
      assertThat(compose.environment(gateway).get("DROPZONE_USERS_FILE"))
          .isEqualTo("/var/lib/dropzone/users/users.yaml");
      assertThat(compose.strings(gateway, "volumes")).contains(volume + ":ro");
      assertThat(compose.service(gateway).get("depends_on").toString())
          .contains("users-init={condition=service_completed_successfully}");
    }
    // The named volume takes its owner from the image, so the unprivileged user can write it.
    assertThat(RepositoryFiles.read("Dockerfile"))
        .contains("mkdir -p /etc/dropzone /var/lib/dropzone/users")
        .contains("chown -R dropzone:dropzone /var/lib/dropzone");
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin").toString();
  }
}
