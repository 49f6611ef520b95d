package dev.dropzone.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.UsersFile;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The demo login the README promises for {@code docker compose up} really logs in. */
class ComposeDemoUserTest {

  static final String USERS_FILE = "localstack/compose/users.yaml";

  @Test
  void theDocumentedDemoCredentialsAreAcceptedByTheUsersFileEveryGatewayMounts() throws Exception {
    ComposeFile compose = ComposeFile.read();
    FileAuthenticator users =
        new FileAuthenticator(new UsersFile(RepositoryFiles.resolve(USERS_FILE)));

    Optional<Account> demo = users.authenticate("demo", "dropzone-demo".toCharArray());

    assertThat(demo).map(Account::home).contains("users/demo");
    assertThat(users.authenticate("demo", "wrong".toCharArray())).isEmpty();
    for (String gateway : compose.gateways()) {
      assertThat(compose.strings(gateway, "volumes"))
          .contains(
              "./"
                  + USERS_FILE
                  + ":"
                  + compose.environment(gateway).get("DROPZONE_USERS_FILE")
                  + ":ro");
    }
    assertThat(RepositoryFiles.read(ComposeFile.PATH)).contains("demo:dropzone-demo@");
  }
}
