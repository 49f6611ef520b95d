package dev.dropzone.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.ftp.FtpSettings;
import dev.dropzone.gateway.ftp.connection.ClientNetworks;
import dev.dropzone.gateway.ftp.control.RefusalPace;
import dev.dropzone.gateway.keys.KeyProvider;
import dev.dropzone.store.S3Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("dropzone.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static final String MINIMAL =
      "s3:\n  bucket: from-file\n  region: eu-west-1\nkeys:\n  keysetFile: keys/keyset.json\n";

  @Test
  void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws Exception {
    Path file = write(MINIMAL + "ftp:\n  port: 2100\n  passivePorts: 40000-40010\n");
    DropzoneConfig config =
        new ConfigLoader()
            .file(file)
            .environment(Map.of("DROPZONE_FTP_PORT", "2200", "DROPZONE_S3_BUCKET", "from-env"))
            .overrides(Map.of("ftp.port", "2300"), "--set")
            .load();

    assertThat(config.ftp().port()).isEqualTo(2300);
    assertThat(config.s3().bucket()).isEqualTo("from-env");
    assertThat(config.s3().region()).isEqualTo("eu-west-1");
    assertThat(config.ftp().passivePorts()).isEqualTo("40000-40010");
    assertThat(config.ftp().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void defaultsConvertToTheSafeFtpDefaults() throws Exception {
    DropzoneConfig config = new ConfigLoader().file(write(MINIMAL)).load();
    GatewaySettings settings = GatewaySettings.from(config, dir);

    assertThat(settings.ftp()).isEqualTo(FtpSettings.defaults());
    assertThat(settings.s3().bucket()).isEqualTo("from-file");
    assertThat(settings.s3().partSize()).isEqualTo(8 << 20);
    assertThat(settings.keyProvider())
        .isEqualTo(new KeyProvider.Local(dir.resolve("keys/keyset.json")));
    assertThat(settings.usersFile()).isEqualTo(dir.resolve("users.yaml"));
    assertThat(settings.staleUploadAge()).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void unknownKeyInTheFileIsNamedWithTheKnownOnes() throws Exception {
    Path file = write(MINIMAL + "ftp:\n  passivePort: 50000-50100\n");

    assertThatThrownBy(() -> new ConfigLoader().file(file).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ftp.passivePort: unknown key")
        .hasMessageContaining("passivePorts");
  }

  @Test
  void unknownOverrideKeyIsRefused() {
    assertThatThrownBy(
            () -> new ConfigLoader().overrides(Map.of("ftp.prot", "1"), "--set ftp.prot=1").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown configuration key 'ftp.prot'; did you mean ftp.port?");
  }

  @Test
  void aMistypedVariableIsAnErrorThatSuggestsTheRightName() throws Exception {
    Path file = write(MINIMAL);

    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .file(file)
                    .environment(
                        Map.of(
                            "DROPZONE_S3_BUKCET", "typo",
                            "DROPZONE_S3_SECRET_ACCESS_KEY_FIEL", "/run/secrets/s3",
                            "DROPZONE_FTP_WHATEVER", "1",
                            "DROPZONE_COMPLETELY_UNRELATED", "x",
                            "OTHER_VARIABLE", "not ours"))
                    .load())
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "environment variable DROPZONE_COMPLETELY_UNRELATED is not a Dropzone"
                            + " setting; the README's configuration reference lists every"
                            + " variable",
                        "environment variable DROPZONE_FTP_WHATEVER is not a Dropzone setting;"
                            + " variables of that section: "
                            + ConfigKeys.all().stream()
                                .map(ConfigKeys.Key::env)
                                .filter(n -> n.startsWith("DROPZONE_FTP_"))
                                .sorted()
                                .collect(java.util.stream.Collectors.joining(", ")),
                        "environment variable DROPZONE_S3_BUKCET is not a Dropzone setting; did"
                            + " you mean DROPZONE_S3_BUCKET?",
                        "environment variable DROPZONE_S3_SECRET_ACCESS_KEY_FIEL is not a"
                            + " Dropzone setting; did you mean DROPZONE_S3_SECRET_ACCESS_KEY_FILE?"));
  }

  @Test
  void everyProblemOfEveryLayerIsReportedAtOnce() throws Exception {
    Path file =
        write(MINIMAL + "ftp:\n  pasivePorts: 1-2\n  idleTimeout: soon\n  maxThreads: many\n");

    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .file(file)
                    .environment(
                        Map.of("DROPZONE_FTP_PORTT", "21", "DROPZONE_FTP_LOGIN_TIMEOUT", "never"))
                    .overrides(Map.of("ftp.prot", "1", "ftp.maxConnections", "0"), "--set")
                    .settings(dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(7)
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("ftp.pasivePorts: unknown key (from config file ")
                                .contains("did you mean ftp.passivePorts?"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("ftp.idleTimeout: 'soon' is not a duration")
                                .contains("(from config file "))
                    .anySatisfy(
                        p -> assertThat(p).startsWith("ftp.maxThreads: 'many' is not a whole"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("ftp.loginTimeout: 'never' is not a duration")
                                .endsWith("(from environment variable DROPZONE_FTP_LOGIN_TIMEOUT)"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .contains("DROPZONE_FTP_PORTT")
                                .contains("did you mean DROPZONE_FTP_PORT?"))
                    .anySatisfy(p -> assertThat(p).contains("unknown configuration key 'ftp.prot'"))
                    .contains("ftp.maxConnections: '0' must be ≥ 1 (from --set)"));
  }

  @Test
  void typeErrorsNameTheKeyTheValueAndTheSource() throws Exception {
    Path file = write(MINIMAL);
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .file(file)
                    .environment(Map.of("DROPZONE_FTP_IDLE_TIMEOUT", "soon"))
                    .load())
        .hasMessageContaining("ftp.idleTimeout: 'soon' is not a duration")
        .hasMessageContaining("environment variable DROPZONE_FTP_IDLE_TIMEOUT");
    assertThatThrownBy(
            () -> new ConfigLoader().file(file).overrides(Map.of("ftp.port", "x"), "--set").load())
        .hasMessageContaining("ftp.port: 'x' is not a whole number");
  }

  @Test
  void validationListsEveryProblemWithKeyAndValue() throws Exception {
    Path file =
        write(
            "s3:\n  partSize: 1MiB\n  accessKeyId: AKIA\nftp:\n  passivePorts: 5-2\n"
                + "  port: 70000\n  tls:\n    required: true\nkeys:\n  provider: vault\n");
    DropzoneConfig config = new ConfigLoader().file(file).load();

    assertThatThrownBy(() -> GatewaySettings.from(config, dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "ftp.passivePorts: '5-2' is not a port range (e.g. 50000-50100, or 0 for"
                            + " any free port)",
                        "ftp.port: '70000' is not a port (0-65535)",
                        "s3.partSize: '1MiB' must be between 5MiB and 5GiB (S3's part size"
                            + " limits)")
                    .anySatisfy(p -> assertThat(p).startsWith("s3.bucket: is required"))
                    .anySatisfy(p -> assertThat(p).startsWith("s3.secretAccessKey: is missing"))
                    .anySatisfy(p -> assertThat(p).startsWith("keys.vault.address: is required"))
                    .anySatisfy(p -> assertThat(p).startsWith("keys.vault.key: is required"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("keys.vault.token: is required")
                                .contains("DROPZONE_KEYS_VAULT_TOKEN_FILE"))
                    .anySatisfy(p -> assertThat(p).startsWith("ftp.tls.required: 'true' needs")));
  }

  @Test
  void secretsComeFromFilesAndAreNeverPrinted() throws Exception {
    Path secretFile = dir.resolve("s3-secret");
    Files.writeString(secretFile, "very-secret-value\n");
    DropzoneConfig config =
        new ConfigLoader()
            .file(write(MINIMAL))
            .environment(
                Map.of(
                    "DROPZONE_S3_ACCESS_KEY_ID",
                    "AKIA",
                    "DROPZONE_S3_SECRET_ACCESS_KEY_FILE",
                    secretFile.toString()))
            .load();
    GatewaySettings settings = GatewaySettings.from(config, dir);

    assertThat(settings.s3().secretAccessKey()).isEqualTo("very-secret-value");
    assertThat(config.toString()).doesNotContain("very-secret-value").contains("******");
    assertThat(settings.toString()).doesNotContain("very-secret-value");
  }

  @Test
  void envNamesFollowTheKeyPaths() {
    assertThat(ConfigKeys.envName("ftp.passivePorts")).isEqualTo("DROPZONE_FTP_PASSIVE_PORTS");
    assertThat(ConfigKeys.envName("keys.cache.ttl")).isEqualTo("DROPZONE_KEYS_CACHE_TTL");
    assertThat(ConfigKeys.find("ftp.tls.keystorePassword").orElseThrow().env())
        .isEqualTo("DROPZONE_FTP_TLS_KEYSTORE_PASSWORD");
    assertThat(ConfigKeys.all()).extracting(ConfigKeys.Key::env).doesNotHaveDuplicates();
  }

  @Test
  void partBufferBudgetIsDerivedWhenAbsentAndTakenAsASizeWhenSet() throws Exception {
    GatewaySettings absent =
        GatewaySettings.from(new ConfigLoader().file(write(MINIMAL)).load(), dir);
    GatewaySettings set =
        GatewaySettings.from(
            new ConfigLoader()
                .file(write(MINIMAL))
                .environment(Map.of("DROPZONE_S3_PART_BUFFER_BUDGET", "64MiB"))
                .load(),
            dir);

    assertThat(absent.s3().partBufferBudget()).isEqualTo(S3Settings.DERIVED_PART_BUFFER_BUDGET);
    assertThat(set.s3().partBufferBudget()).isEqualTo(67_108_864L);
  }

  @Test
  void aPartBufferBudgetBelowOnePartNamesTheKeyAndTheMinimum() throws Exception {
    for (String budget : new String[] {"4MiB", "0"}) {
      DropzoneConfig config =
          new ConfigLoader()
              .file(write(MINIMAL))
              .overrides(Map.of("s3.partBufferBudget", budget), "--set")
              .load();

      assertThatThrownBy(() -> GatewaySettings.from(config, dir))
          .isInstanceOfSatisfying(
              ConfigException.class,
              e ->
                  assertThat(e.problems())
                      .containsExactly(
                          "s3.partBufferBudget: '"
                              + config.s3().partBufferBudget()
                              + "' must be at least one part (s3.partSize = 8MiB), or empty (~)"
                              + " to derive it from the heap"));
    }
  }

  @Test
  void copyLimitsDefaultToAwsAndCanBeLowered() throws Exception {
    GatewaySettings defaults =
        GatewaySettings.from(new ConfigLoader().file(write(MINIMAL)).load(), dir);
    GatewaySettings lowered =
        GatewaySettings.from(
            new ConfigLoader()
                .file(write(MINIMAL))
                .overrides(
                    Map.of("s3.copy.multipartAbove", "1GiB", "s3.copy.partSize", "64MiB"), "--set")
                .load(),
            dir);

    assertThat(defaults.s3().copyMultipartAbove()).isEqualTo(5L << 30);
    assertThat(defaults.s3().copyPartSize()).isEqualTo(512L << 20);
    assertThat(lowered.s3().copyMultipartAbove()).isEqualTo(1L << 30);
    assertThat(lowered.s3().copyPartSize()).isEqualTo(64L << 20);
  }

  @Test
  void copyLimitsOutsideS3sLimitsNameTheKeyAndTheRange() throws Exception {
    assertOnlyProblem(
        Map.of("s3.copy.partSize", "4MiB"),
        "s3.copy.partSize: '4MiB' must be between 5MiB and 5GiB (S3's part size limits)");
    assertOnlyProblem(
        Map.of("s3.copy.partSize", "6GiB", "s3.copy.multipartAbove", "5GiB"),
        "s3.copy.partSize: '6144MiB' must be between 5MiB and 5GiB (S3's part size limits)");
    assertOnlyProblem(
        Map.of("s3.copy.multipartAbove", "0"),
        "s3.copy.multipartAbove: '0' must be above 0 and at most 5GiB (the largest object"
            + " CopyObject accepts)");
    assertOnlyProblem(
        Map.of("s3.copy.multipartAbove", "6GiB"),
        "s3.copy.multipartAbove: '6144MiB' must be above 0 and at most 5GiB (the largest object"
            + " CopyObject accepts)");
    assertOnlyProblem(
        Map.of("s3.copy.multipartAbove", "100MiB"),
        "s3.copy.multipartAbove: '100MiB' must not be below s3.copy.partSize (512MiB)");
  }

  @Test
  void theIpv6PrefixLengthComesFromTheEnvironmentAndIsBounded() throws Exception {
    GatewaySettings perAddress =
        GatewaySettings.from(
            new ConfigLoader()
                .file(write(MINIMAL))
                .environment(Map.of("DROPZONE_FTP_IPV6_PREFIX_LENGTH", "128"))
                .load(),
            dir);
    assertThat(perAddress.ftp().logins().networks()).isEqualTo(new ClientNetworks(128));
    assertThat(FtpSettings.defaults().logins().networks()).isEqualTo(new ClientNetworks(64));

    for (String length : new String[] {"16", "129"}) {
      assertOnlyProblem(
          Map.of("ftp.ipv6PrefixLength", length),
          "ftp.ipv6PrefixLength: '"
              + length
              + "' must be 32 to 128 (64: one /64 network counts as one client; 128: each address"
              + " alone)");
    }
  }

  @Test
  void theConnectionRateIsOffByDefaultAndComesFromTheEnvironment() throws Exception {
    GatewaySettings defaults =
        GatewaySettings.from(new ConfigLoader().file(write(MINIMAL)).load(), dir);
    assertThat(defaults.ftp().logins().maxNewConnectionsPerIpPerMinute()).isZero();

    GatewaySettings limited =
        GatewaySettings.from(
            new ConfigLoader()
                .file(write(MINIMAL))
                .environment(Map.of("DROPZONE_FTP_MAX_NEW_CONNECTIONS_PER_IP_PER_MINUTE", "600"))
                .load(),
            dir);
    assertThat(limited.ftp().logins().maxNewConnectionsPerIpPerMinute()).isEqualTo(600);

    assertOnlyProblem(
        Map.of("ftp.maxNewConnectionsPerIpPerMinute", "-1"),
        "ftp.maxNewConnectionsPerIpPerMinute: '-1' must be ≥ 0 (0: no limit)");
  }

  @Test
  void refusedCommandsArePacedByDefaultAndThePaceCanBeSetOrTurnedOff() throws Exception {
    GatewaySettings defaults =
        GatewaySettings.from(new ConfigLoader().file(write(MINIMAL)).load(), dir);
    assertThat(defaults.ftp().logins().refusedCommands()).isEqualTo(RefusalPace.Pace.DEFAULT);

    GatewaySettings off =
        GatewaySettings.from(
            new ConfigLoader()
                .file(write(MINIMAL))
                .environment(
                    Map.of(
                        "DROPZONE_FTP_REFUSED_COMMANDS_PER_SECOND", "0",
                        "DROPZONE_FTP_REFUSED_COMMANDS_BURST", "50"))
                .load(),
            dir);
    assertThat(off.ftp().logins().refusedCommands()).isEqualTo(new RefusalPace.Pace(50, 0));

    assertOnlyProblem(
        Map.of("ftp.refusedCommands.burst", "0"), "ftp.refusedCommands.burst: '0' must be ≥ 1");
    assertOnlyProblem(
        Map.of("ftp.refusedCommands.perSecond", "-1"),
        "ftp.refusedCommands.perSecond: '-1' must be ≥ 0 (0: refused commands are never slowed"
            + " down)");
  }

  @Test
  void theLongestNameIsThe255BytesOfFileSystemsByDefaultAndAtMostS3sKeyLimit() throws Exception {
    GatewaySettings defaults =
        GatewaySettings.from(new ConfigLoader().file(write(MINIMAL)).load(), dir);
    assertThat(defaults.s3().maxNameBytes()).isEqualTo(255);

    GatewaySettings longer =
        GatewaySettings.from(
            new ConfigLoader()
                .file(write(MINIMAL))
                .environment(Map.of("DROPZONE_S3_MAX_NAME_BYTES", "1024"))
                .load(),
            dir);
    assertThat(longer.s3().maxNameBytes()).isEqualTo(1024);

    for (String bytes : new String[] {"0", "1025"}) {
      assertOnlyProblem(
          Map.of("s3.maxNameBytes", bytes),
          "s3.maxNameBytes: '" + bytes + "' must be between 1 and 1024 (S3's key limit)");
    }
  }

  private void assertOnlyProblem(Map<String, String> overrides, String problem) throws Exception {
    DropzoneConfig config =
        new ConfigLoader().file(write(MINIMAL)).overrides(overrides, "--set").load();

    assertThatThrownBy(() -> GatewaySettings.from(config, dir))
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.problems()).containsExactly(problem));
  }
}
