package dev.dropzone.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.config.ConfigKeys;
import dev.dropzone.gateway.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateways in docker-compose.yml are configured only by {@code DROPZONE_*} variables, and a
 * variable the config layer does not know stops the gateway: so every name is checked against the
 * configuration reference here, before anyone runs the file.
 */
class ComposeEnvironmentTest {

  private static final Set<String> KNOWN =
      ConfigKeys.all().stream().map(ConfigKeys.Key::env).collect(Collectors.toSet());

  @Test
  void everyDropzoneVariableOfEveryGatewayIsAConfigurationKey() throws Exception {
    ComposeFile compose = ComposeFile.read();

    for (String gateway : compose.gateways()) {
      assertThat(compose.environment(gateway).keySet())
          .filteredOn(name -> name.startsWith(ConfigKeys.ENV_PREFIX))
          .as("DROPZONE_* variables of service %s that no configuration key reads", gateway)
          .allMatch(KNOWN::contains);
    }
  }

  @Test
  void everyGatewaysKeyServiceSettingsAreAcceptedAsWritten(@TempDir Path dir) throws Exception {
    ComposeFile compose = ComposeFile.read();

    for (String gateway : compose.gateways()) {
      List<String> problems;
      try {
        new ConfigLoader().environment(compose.environment(gateway)).settings(dir);
        problems = List.of();
      } catch (ConfigException e) {
        problems = e.problems();
      }
      // Plain http:// to another container (LocalStack, Vault dev mode) must be allowed
      // explicitly, or the gateway refuses to start.
      assertThat(problems).as(gateway).noneMatch(problem -> problem.startsWith("keys."));
    }
  }

  @Test
  void everyGatewaySetsWhatServeRequiresAndWhatAContainerNeeds() throws Exception {
    ComposeFile compose = ComposeFile.read();

    for (String gateway : compose.gateways()) {
      assertThat(compose.environment(gateway))
          .as(gateway)
          .containsKeys(
              "DROPZONE_S3_BUCKET",
              "DROPZONE_S3_ENDPOINT",
              "DROPZONE_KEYS_PROVIDER",
              "DROPZONE_FTP_PORT",
              "DROPZONE_FTP_PASSIVE_PORTS",
              "DROPZONE_FTP_PASSIVE_ADDRESS",
              "DROPZONE_USERS_FILE")
          .containsEntry("DROPZONE_FTP_BIND", "0.0.0.0");
    }
  }
}
