package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.vault.VaultTransitKeyService;
import dev.dropzone.kek.vault.VaultTransitProtocolServer;
import dev.dropzone.kek.vault.VaultTransitSettings;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.V1Objects;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Format v1 files, written as gateways before format v2 wrote them, stay readable by their writer
 * through FTP, are refused in anyone else's session, and become format v2 with {@code dropzone keys
 * upgrade}; after that v1 can be switched off ({@code keys.acceptFormatV1: false}) and what was not
 * upgraded is refused with a reply naming the command. Vault Transit protocol server, in-process
 * S3, real FTP client.
 */
class FormatUpgradeTest {

  private static final String PASSWORD = "correct horse";

  @TempDir Path dir;

  @Test
  void v1FilesStayReadableByTheirWriterAndUpgradeInPlace() throws Exception {
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory();
        VaultTransitProtocolServer vault = VaultTransitProtocolServer.start("transit", "s.token");
        VaultTransitKeyService keyService =
            VaultTransitKeyService.open(
                VaultTransitSettings.of(vault.uri(), "dropzone", "s.token"))) {
      vault.createKey("dropzone", false);
      s3.bucket("upgrade", "dz");
      Path users = dir.resolve("users.yaml");
      String hash = PasswordHashes.hash(PASSWORD.toCharArray());
      new UsersFile(users)
          .write(
              List.of(
                  UserEntry.of("alice", hash),
                  UserEntry.of("bob", hash),
                  new UserEntry("carol", hash, "shared/team", null, false),
                  new UserEntry("dave", hash, "shared/team", null, false)));
      Map<String, String> config =
          Map.ofEntries(
              Map.entry("s3.endpoint", s3.endpoint().toString()),
              Map.entry("s3.bucket", "upgrade"),
              Map.entry("s3.prefix", "dz"),
              Map.entry("s3.accessKeyId", S3ProxyFixture.ACCESS_KEY),
              Map.entry("s3.secretAccessKey", S3ProxyFixture.SECRET_KEY),
              Map.entry("keys.provider", "vault"),
              Map.entry("keys.vault.address", vault.uri().toString()),
              Map.entry("keys.vault.key", "dropzone"),
              Map.entry("keys.http.maxAttempts", "1"),
              Map.entry("users.file", users.toString()),
              Map.entry("ftp.port", "0"),
              Map.entry("ftp.passivePorts", "0"));
      byte[] report = "alice's report from before v2".getBytes(StandardCharsets.UTF_8);
      byte[] plan = "the team's plan, written by carol before v2".getBytes(StandardCharsets.UTF_8);
      try (S3Client raw = S3Clients.create(settings(config, true).s3())) {
        putV1(raw, keyService, "dz/users/alice/report.txt", "alice", report);
        putV1(raw, keyService, "dz/shared/team/plan.txt", "carol", plan);
        // Copied by someone with write access to the bucket into bob's home.
        putV1(raw, keyService, "dz/users/bob/report.txt", "alice", report);
      }

      try (GatewayRuntime gateway = start(config, users, true)) {
        assertThat(retrieve(gateway, "alice", "report.txt")).isEqualTo(report);
        assertThat(retrieve(gateway, "carol", "plan.txt")).isEqualTo(plan);
        assertRefused(gateway, "bob", "report.txt", "written by another user in format v1");
        assertRefused(
            gateway,
            "dave",
            "plan.txt",
            "written by another user in format v1 and is not bound to this home");
      }

      KeysCli.Run upgrade = keys(config, "upgrade", "--parallel", "2");

      assertThat(upgrade.code()).as(upgrade.err()).isZero();
      assertThat(upgrade.out())
          .contains("Upgrading 3 object(s) to format v2")
          .contains(
              "Upgraded 2, already v2 0, not encrypted 0, not in their owner's home 1, failed 0");
      assertThat(upgrade.err()).contains("Left in format v1").contains("dz/users/bob/report.txt");
      try (S3Client raw = S3Clients.create(settings(config, true).s3())) {
        Map<String, String> upgraded =
            raw.headObject(b -> b.bucket("upgrade").key("dz/shared/team/plan.txt")).metadata();
        assertThat(upgraded)
            .containsEntry(ObjectFormat.META_FORMAT, "2")
            .containsEntry(ObjectFormat.META_DOMAIN, "shared/team")
            .containsEntry(ObjectFormat.META_USER, "carol")
            .containsEntry(ObjectFormat.META_EPOCH, "0");
      }

      try (GatewayRuntime gateway = start(config, users, false)) {
        assertThat(retrieve(gateway, "alice", "report.txt")).isEqualTo(report);
        assertThat(retrieve(gateway, "dave", "plan.txt"))
            .as("bound to the shared home: every user of it reads it")
            .isEqualTo(plan);
        assertRefused(gateway, "bob", "report.txt", "dropzone keys upgrade");
      }

      KeysCli.Run again = keys(config, "upgrade");
      assertThat(again.code()).as(again.err()).isZero();
      assertThat(again.out())
          .contains(
              "Upgraded 0, already v2 2, not encrypted 0, not in their owner's home 1, failed 0");
    }
  }

  private static void putV1(
      S3Client raw, VaultTransitKeyService keyService, String key, String user, byte[] plaintext)
      throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey wrapped =
        keyService.wrap(dataKey.clone(), KeyBinding.user(user)).get(30, TimeUnit.SECONDS);
    V1Objects.put(raw, "upgrade", key, user, wrapped, DataKey.fromRaw(dataKey), plaintext);
  }

  private GatewaySettings settings(Map<String, String> config, boolean acceptV1) throws Exception {
    Map<String, String> all = new HashMap<>(config);
    all.put("keys.acceptFormatV1", Boolean.toString(acceptV1));
    return new ConfigLoader()
        .environment(Map.of("DROPZONE_KEYS_VAULT_TOKEN", "s.token"))
        .overrides(all, "test")
        .settings(dir);
  }

  private GatewayRuntime start(Map<String, String> config, Path users, boolean acceptV1)
      throws Exception {
    return GatewayRuntime.start(
        settings(config, acceptV1), new FileAuthenticator(new UsersFile(users)));
  }

  private KeysCli.Run keys(Map<String, String> config, String... args) throws Exception {
    Map<String, String> all = new HashMap<>(config);
    all.put("keys.vault.token", "s.token");
    return KeysCli.run(dir, all, args);
  }

  private static byte[] retrieve(GatewayRuntime gateway, String user, String name)
      throws Exception {
    return new FtpUser(gateway, user, PASSWORD).retrieve(name);
  }

  private static void assertRefused(GatewayRuntime gateway, String user, String name, String why)
      throws Exception {
    new FtpUser(gateway, user, PASSWORD).assertRefused(name, why);
  }
}
