package dev.dropzone.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.config.ConfigKeys;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The gateways in docker-compose.yml are configured only by {@code DROPZONE_*} variables, and the
 * config layer silently ignores variables it does not know: so every name is checked against the
 * configuration reference here.
 */
class ComposeEnvironmentTest {

  /**
   * Keys the compose file needs that the configuration layer does not offer yet (the kms and vault
   * providers), by the config path they must get. Each must disappear from here once the key
   * exists; {@link #keysAwaitingConfigSupportAreStillMissingAndFollowTheNamingRule} enforces that.
   */
  static final Map<String, String> AWAITING_CONFIG_SUPPORT =
      Map.of(
          "DROPZONE_KEYS_KMS_KEY_ID", "keys.kms.keyId",
          "DROPZONE_KEYS_KMS_REGION", "keys.kms.region",
          "DROPZONE_KEYS_KMS_ENDPOINT", "keys.kms.endpoint",
          "DROPZONE_KEYS_VAULT_ADDRESS", "keys.vault.address",
          "DROPZONE_KEYS_VAULT_TOKEN", "keys.vault.token",
          "DROPZONE_KEYS_VAULT_KEY", "keys.vault.key");

  private static final Set<String> KNOWN =
      ConfigKeys.all().stream().map(ConfigKeys.Key::env).collect(Collectors.toSet());

  @Test
  void everyDropzoneVariableOfEveryGatewayIsAConfigurationKey() throws Exception {
    ComposeFile compose = ComposeFile.read();

    for (String gateway : compose.gateways()) {
      assertThat(compose.environment(gateway).keySet())
          .filteredOn(name -> name.startsWith(ConfigKeys.ENV_PREFIX))
          .as("DROPZONE_* variables of service %s that no configuration key reads", gateway)
          .allMatch(name -> KNOWN.contains(name) || AWAITING_CONFIG_SUPPORT.containsKey(name));
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

  @Test
  void keysAwaitingConfigSupportAreStillMissingAndFollowTheNamingRule() {
    AWAITING_CONFIG_SUPPORT.forEach(
        (env, path) -> {
          assertThat(ConfigKeys.envName(path)).isEqualTo(env);
          assertThat(KNOWN)
              .as("%s is now a configuration key: remove it from AWAITING_CONFIG_SUPPORT", env)
              .doesNotContain(env);
        });
  }
}
