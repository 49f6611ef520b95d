package dev.dropzone.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.keys.KeyProvider;
import dev.dropzone.kek.eaas.EaasSettings;
import dev.dropzone.kek.http.ClientCertificate;
import dev.dropzone.kek.kms.KmsSettings;
import dev.dropzone.kek.pkcs11.Pkcs11Settings;
import dev.dropzone.kek.vault.VaultTransitSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each provider is selectable and configurable from the YAML file, the environment and flags. */
class KeysSectionTest {

  @TempDir Path dir;

  private GatewaySettings load(String keysYaml, Map<String, String> env, Map<String, String> set)
      throws Exception {
    Path file = dir.resolve("dropzone.yaml");
    Files.writeString(file, "s3:\n  bucket: b\n  region: eu-west-1\n" + keysYaml);
    return new ConfigLoader()
        .file(file)
        .environment(env)
        .overrides(set, "command line")
        .settings(dir);
  }

  @Test
  void vaultFromFileWithTheTokenFromASecretFileAndTimeoutsFromFlags() throws Exception {
    Path token = dir.resolve("vault-token");
    Files.writeString(token, "s.secret-token\n");
    GatewaySettings settings =
        load(
            "keys:\n  provider: vault\n  vault:\n    address: https://vault.example:8200\n"
                + "    key: dropzone\n    namespace: team-a\n    derived: true\n",
            Map.of("DROPZONE_KEYS_VAULT_TOKEN_FILE", token.toString()),
            Map.of("keys.http.requestTimeout", "3s", "keys.vault.mount", "secrets/transit"));

    VaultTransitSettings vault = ((KeyProvider.Vault) settings.keyProvider()).settings();
    assertThat(vault.address()).isEqualTo(URI.create("https://vault.example:8200"));
    assertThat(vault.mount()).isEqualTo("secrets/transit");
    assertThat(vault.key()).isEqualTo("dropzone");
    assertThat(vault.token()).isEqualTo("s.secret-token");
    assertThat(vault.namespace()).contains("team-a");
    assertThat(vault.derived()).isTrue();
    assertThat(vault.http().requestTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.toString()).doesNotContain("s.secret-token");
  }

  @Test
  void eaasEntirelyFromTheEnvironmentWithTheTokenFromASecretFile() throws Exception {
    Path token = Files.writeString(dir.resolve("eaas-token"), "eaas-secret-token\n");
    GatewaySettings settings =
        load(
            "",
            Map.of(
                "DROPZONE_KEYS_PROVIDER", "eaas",
                "DROPZONE_KEYS_EAAS_URL", "http://127.0.0.1:8080",
                "DROPZONE_KEYS_EAAS_SECRET_PATH", "dropzone/master",
                "DROPZONE_KEYS_EAAS_SECRET_VERSION", "3",
                "DROPZONE_KEYS_EAAS_MIN_SECRET_VERSION", "2",
                "DROPZONE_KEYS_EAAS_TOKEN_FILE", token.toString()),
            Map.of());

    KeyProvider.Eaas eaas = (KeyProvider.Eaas) settings.keyProvider();
    assertThat(eaas.settings().url()).isEqualTo(URI.create("http://127.0.0.1:8080"));
    assertThat(eaas.settings().secretPath()).isEqualTo("dropzone/master");
    assertThat(eaas.settings().secretVersion()).isEqualTo(3);
    assertThat(eaas.settings().minSecretVersion()).isEqualTo(2);
    assertThat(eaas.settings().token()).contains("eaas-secret-token");
    assertThat(eaas.settings().http().clientCertificate()).isEmpty();
    assertThat(settings.toString()).doesNotContain("eaas-secret-token");
  }

  @Test
  void formatV1IsServedByDefaultExceptWithEaasWhoseV1KeysCarryNoBinding() throws Exception {
    String eaas =
        "keys:\n  provider: eaas\n  eaas:\n    url: http://127.0.0.1:8080\n"
            + "    secretPath: dropzone/master\n    token: t\n";
    assertThat(load(eaas, Map.of(), Map.of()).formats().acceptFormatV1()).isFalse();
    assertThat(
            load(eaas, Map.of(), Map.of("keys.acceptFormatV1", "true")).formats().acceptFormatV1())
        .as("an operator who still has v1 files may turn it on")
        .isTrue();
    assertThat(
            load(eaas, Map.of("DROPZONE_KEYS_ACCEPT_FORMAT_V1", "true"), Map.of())
                .formats()
                .acceptFormatV1())
        .isTrue();

    String local = "keys:\n  provider: local\n  keysetFile: keyset.json\n";
    assertThat(load(local, Map.of(), Map.of()).formats().acceptFormatV1()).isTrue();
    assertThat(
            load(local, Map.of(), Map.of("keys.acceptFormatV1", "false"))
                .formats()
                .acceptFormatV1())
        .isFalse();
  }

  @Test
  void eaasWithATlsClientCertificateInsteadOfAToken() throws Exception {
    Files.writeString(dir.resolve("client.pem"), "placeholder");
    Files.writeString(dir.resolve("client-key.pem"), "placeholder");
    GatewaySettings settings =
        load(
            "keys:\n  provider: eaas\n  eaas:\n    url: https://eaas.example\n"
                + "    secretPath: dropzone/master\n    clientCertificate: client.pem\n"
                + "    clientKey: client-key.pem\n",
            Map.of(),
            Map.of());

    EaasSettings eaas = ((KeyProvider.Eaas) settings.keyProvider()).settings();
    assertThat(eaas.token()).isEmpty();
    assertThat(eaas.http().clientCertificate())
        .contains(new ClientCertificate(dir.resolve("client.pem"), dir.resolve("client-key.pem")));
  }

  @Test
  void eaasRefusesAnonymousOrHalfConfiguredCredentialsAndVersionsOutOfOrder() {
    assertThatThrownBy(
            () ->
                load(
                    "keys:\n  provider: eaas\n  eaas:\n    url: https://eaas.example\n"
                        + "    secretPath: dropzone/master\n",
                    Map.of(),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("keys.eaas.token: is required unless a client certificate is set")
        .hasMessageContaining("DROPZONE_KEYS_EAAS_TOKEN_FILE");
    assertThatThrownBy(
            () ->
                load(
                    "keys:\n  provider: eaas\n  eaas:\n    url: http://127.0.0.1:8080\n"
                        + "    secretPath: dropzone/master\n    clientCertificate: c.pem\n"
                        + "    secretVersion: 2\n    minSecretVersion: 3\n",
                    Map.of(),
                    Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(
                        p -> assertThat(p).startsWith("keys.eaas.clientKey: is required too"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith(
                                    "keys.eaas.minSecretVersion: '3' must be between 0 and"
                                        + " keys.eaas.secretVersion (2)")));
    assertThatThrownBy(
            () ->
                load(
                    "keys:\n  provider: eaas\n  eaas:\n    url: http://127.0.0.1:8080\n"
                        + "    secretPath: dropzone/master\n    clientCertificate: c.pem\n"
                        + "    clientKey: k.pem\n",
                    Map.of(),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("keys.eaas.clientCertificate: needs an https:// keys.eaas.url");
  }

  @Test
  void kmsDefaultsToTheS3Region() throws Exception {
    GatewaySettings settings =
        load(
            "keys:\n  provider: kms\n  kms:\n    keyId: alias/dropzone\n"
                + "    endpoint: http://127.0.0.1:4566\n",
            Map.of(),
            Map.of());

    KmsSettings kms = ((KeyProvider.Kms) settings.keyProvider()).settings();
    assertThat(kms.keyId()).isEqualTo("alias/dropzone");
    assertThat(kms.region()).isEqualTo("eu-west-1");
    assertThat(kms.endpoint()).contains(URI.create("http://127.0.0.1:4566"));
  }

  @Test
  void kmsRetiredKeysFromAYamlListOrACommaSeparatedVariable() throws Exception {
    String first = "arn:aws:kms:eu-west-1:111122223333:key/1111aaaa-1111-1111-1111-111111111111";
    String second = "2222bbbb-2222-2222-2222-222222222222";
    GatewaySettings fromYaml =
        load(
            "keys:\n  provider: kms\n  kms:\n    keyId: alias/dropzone\n    retiredKeyIds:\n"
                + "      - "
                + first
                + "\n      - "
                + second
                + "\n",
            Map.of(),
            Map.of());
    GatewaySettings fromEnvironment =
        load(
            "keys:\n  provider: kms\n  kms:\n    keyId: alias/dropzone\n",
            Map.of("DROPZONE_KEYS_KMS_RETIRED_KEY_IDS", first + ", " + second),
            Map.of());

    for (GatewaySettings settings : new GatewaySettings[] {fromYaml, fromEnvironment}) {
      assertThat(((KeyProvider.Kms) settings.keyProvider()).settings().retiredKeyIds())
          .containsExactly(first, second);
    }
  }

  @Test
  void kmsRetiredKeysAreNeverAliases() {
    assertThatThrownBy(
            () ->
                load(
                    "keys:\n  provider: kms\n  kms:\n    keyId: alias/dropzone\n",
                    Map.of(),
                    Map.of("keys.kms.retiredKeyIds", "alias/old-dropzone")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("keys.kms.retiredKeyIds: retired KMS key 'alias/old-dropzone' is an")
        .hasMessageContaining("by key id or key ARN");
  }

  @Test
  void plainHttpToAnotherMachineIsRefusedAtStartSayingWhy() {
    assertThatThrownBy(
            () ->
                load(
                    "keys:\n  provider: vault\n  vault:\n    address: http://vault.example:8200\n"
                        + "    key: dropzone\n",
                    Map.of("DROPZONE_KEYS_VAULT_TOKEN", "t"),
                    Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .singleElement()
                    .asString()
                    .startsWith("keys.vault.address: http://vault.example:8200 is plain http://")
                    .contains("every data key", "Use https://", "keys.http.allowInsecure: true"));
    assertThatThrownBy(
            () ->
                load(
                    "keys:\n  provider: kms\n  kms:\n    keyId: alias/dropzone\n"
                        + "    endpoint: http://localstack:4566\n",
                    Map.of(),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("keys.kms.endpoint: http://localstack:4566 is plain http://");
  }

  @Test
  void plainHttpToAnotherMachineIsAcceptedWhenExplicitlyAllowed() throws Exception {
    GatewaySettings settings =
        load(
            "keys:\n  provider: vault\n  vault:\n    address: http://vault:8200\n"
                + "    key: dropzone\n",
            Map.of("DROPZONE_KEYS_VAULT_TOKEN", "t", "DROPZONE_KEYS_HTTP_ALLOW_INSECURE", "true"),
            Map.of());

    VaultTransitSettings vault = ((KeyProvider.Vault) settings.keyProvider()).settings();
    assertThat(vault.address()).isEqualTo(URI.create("http://vault:8200"));
    assertThat(vault.http().allowPlainHttp()).isTrue();
  }

  @Test
  void pkcs11BySlotWithThePinFromTheEnvironment() throws Exception {
    Path library = Files.createFile(dir.resolve("libtoken.so"));
    GatewaySettings settings =
        load(
            "keys:\n  provider: pkcs11\n  pkcs11:\n    library: libtoken.so\n    slot: 7\n"
                + "    keyLabel: dropzone-master\n",
            Map.of("DROPZONE_KEYS_PKCS11_PIN", "1234"),
            Map.of());

    Pkcs11Settings token = ((KeyProvider.Pkcs11) settings.keyProvider()).settings();
    assertThat(token.library()).isEqualTo(library);
    assertThat(token.slot()).hasValue(7);
    assertThat(token.pin()).containsExactly('1', '2', '3', '4');
    assertThat(token.keyLabel()).isEqualTo("dropzone-master");
    assertThat(token.toString()).doesNotContain("1234");
  }

  @Test
  void unknownProviderNamesTheChoices() {
    assertThatThrownBy(() -> load("keys:\n  provider: hsm\n", Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "keys.provider: 'hsm' is not a key provider; use one of local, vault, eaas, kms,"
                + " pkcs11 (from config file");
  }

  @Test
  void everyMissingSettingOfTheChosenProviderIsNamed() {
    assertThatThrownBy(
            () ->
                load(
                    "keys:\n  provider: pkcs11\n  http:\n    maxAttempts: 0\n", Map.of(), Map.of()))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anySatisfy(p -> assertThat(p).startsWith("keys.pkcs11.library: is required"))
                    .anySatisfy(p -> assertThat(p).startsWith("keys.pkcs11.keyLabel: is required"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("keys.pkcs11.pin: is required")
                                .contains("DROPZONE_KEYS_PKCS11_PIN_FILE"))
                    .anySatisfy(
                        p -> assertThat(p).startsWith("keys.http.maxAttempts: '0' must be ≥ 1"))
                    .noneSatisfy(p -> assertThat(p).startsWith("keys.keysetFile")));
  }

  @Test
  void theReadmeVaultExampleLoads() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher m =
        Pattern.compile(
                "Example `keys` section for Vault Transit:\\s*```yaml\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertThat(m.find()).as("Vault example in the README").isTrue();
    Files.writeString(dir.resolve("vault-ca.pem"), "placeholder");
    String example = m.group(1).replace("/etc/dropzone/vault-ca.pem", "vault-ca.pem");

    GatewaySettings settings = load(example, Map.of("DROPZONE_KEYS_VAULT_TOKEN", "t"), Map.of());

    VaultTransitSettings vault = ((KeyProvider.Vault) settings.keyProvider()).settings();
    assertThat(vault.key()).isEqualTo("dropzone");
    assertThat(vault.http().caBundle()).contains(dir.resolve("vault-ca.pem"));
    assertThat(vault.http().requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(vault.mount()).isEqualTo("transit");
  }
}
