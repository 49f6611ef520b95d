package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.ftp.UnboundV1Relabel;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.eaas.EaasProtocolServer;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The eaas provider's format v1 keys are bound to nothing (RSA over the EaaS API, spoken here by
 * {@link EaasProtocolServer}). A bucket writer who relabels another home's file as a v1 file of
 * their own gets nothing from a gateway on its default configuration, and {@code keys upgrade} does
 * not bind such a file to the home it was planted in unless told to trust v1 files.
 */
class EaasUnboundV1Test {

  private static final String PASSWORD = "correct horse";
  private static final byte[] SECRET =
      "alice's figures, for alice only".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  @Test
  void aRelabelledFileIsRefusedByDefaultAndKeysUpgradeWillNotBindIt() throws Exception {
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory();
        EaasProtocolServer eaas = EaasProtocolServer.start("")) {
      eaas.createSecret("dz/master", 1);
      s3.bucket("unbound", "dz");
      Path users = dir.resolve("users.yaml");
      String hash = PasswordHashes.hash(PASSWORD.toCharArray());
      new UsersFile(users).write(List.of(UserEntry.of("alice", hash), UserEntry.of("bob", hash)));
      Map<String, String> config = EaasGatewayConfig.of(s3, "unbound", eaas, users);

      try (GatewayRuntime gateway = start(config, users)) {
        new FtpUser(gateway, "alice", PASSWORD).store("secret.txt", SECRET);
      }
      try (S3Client raw = S3Clients.create(s3.bucket("unbound", "dz"))) {
        UnboundV1Relabel.copy(
            raw, "unbound", "dz/users/alice/secret.txt", "dz/users/bob/stolen.txt", "bob");
      }

      try (GatewayRuntime gateway = start(config, users)) {
        new FtpUser(gateway, "bob", PASSWORD).assertRefused("stolen.txt", "keys upgrade");
      }

      KeysCli.Run upgrade = KeysCli.run(dir, config, "upgrade");
      assertThat(upgrade.code()).isEqualTo(Main.USAGE);
      assertThat(upgrade.err())
          .contains("format v1 keys are bound to nothing")
          .contains("--trust-unbound-v1");
      try (S3Client raw = S3Clients.create(s3.bucket("unbound", "dz"))) {
        assertThat(
                raw.headObject(b -> b.bucket("unbound").key("dz/users/bob/stolen.txt")).metadata())
            .as("left as the attacker wrote it")
            .containsEntry(ObjectFormat.META_FORMAT, ObjectFormat.VERSION_1);
      }
    }
  }

  private GatewayRuntime start(Map<String, String> config, Path users) throws Exception {
    return GatewayRuntime.start(
        new ConfigLoader().overrides(config, "test").settings(dir),
        new FileAuthenticator(new UsersFile(users)));
  }
}
