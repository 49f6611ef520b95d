package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.config.ConfigLoader;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A master key version retired after {@code keys rewrap}, as an operator does it: the EaaS key pair
 * moves from secret_version 1 to 2, {@code keys rewrap} moves the key record and the files to 2,
 * and version 1 is then refused ({@code keys.eaas.minSecretVersion: 2}). The user still reads her
 * files and, because her key record was rewrapped too, still uploads; a file the rewrap did not
 * reach is refused without asking the service. EaaS protocol server, in-process S3, real FTP
 * client.
 */
class RetiredKeyVersionTest {

  private static final String PASSWORD = "correct horse";

  @TempDir Path dir;

  @Test
  void afterRewrapTheRetiredVersionIsNeverNeededAgain() throws Exception {
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory();
        EaasProtocolServer eaas = EaasProtocolServer.start("")) {
      eaas.createSecret("dz/master", 1);
      eaas.createSecret("dz/master", 2);
      s3.bucket("retire", "dz");
      Path users = dir.resolve("users.yaml");
      new UsersFile(users)
          .write(List.of(UserEntry.of("alice", PasswordHashes.hash(PASSWORD.toCharArray()))));
      Map<String, String> config = EaasGatewayConfig.of(s3, "retire", eaas, users);
      byte[] report = "numbers from before the rotation".getBytes(StandardCharsets.UTF_8);
      byte[] left = "a file the rewrap is not told about".getBytes(StandardCharsets.UTF_8);

      try (GatewayRuntime gateway = start(with(config, "1", "0"), users)) {
        FtpUser alice = new FtpUser(gateway, "alice", PASSWORD);
        alice.store("report.txt", report);
        alice.store("left-behind.txt", left);
      }

      KeysCli.Run rewrap =
          KeysCli.run(dir, with(config, "2", "0"), "rewrap", "--prefix", "users/alice/report");
      assertThat(rewrap.code()).as(rewrap.err()).isZero();
      assertThat(rewrap.out())
          .contains("Key records: rewrapped 1, already current 0, failed 0")
          .contains("Rewrapped 1");
      try (S3Client raw = S3Clients.create(s3.bucket("retire", "dz"))) {
        assertThat(
                raw.headObject(b -> b.bucket("retire").key("dz/users/alice/report.txt")).metadata())
            .containsEntry(ObjectFormat.META_KEY_REF, "eaas:dz/master:2");
      }

      int decrypts = eaas.server().count("decrypt");
      try (GatewayRuntime gateway = start(with(config, "2", "2"), users)) {
        FtpUser alice = new FtpUser(gateway, "alice", PASSWORD);
        assertThat(alice.retrieve("report.txt")).isEqualTo(report);
        byte[] fresh = "written after version 1 was retired".getBytes(StandardCharsets.UTF_8);
        alice.store("after.txt", fresh);
        assertThat(alice.retrieve("after.txt")).isEqualTo(fresh);
        alice.assertRefused("left-behind.txt", "Key service refused");
      }
      assertThat(
              eaas.server().requests("decrypt").subList(decrypts, eaas.server().count("decrypt")))
          .as("the retired version was never asked for again")
          .allSatisfy(r -> assertThat(r.body().getValue("secret_version")).isEqualTo(2));
    }
  }

  private static Map<String, String> with(
      Map<String, String> config, String secretVersion, String minSecretVersion) {
    Map<String, String> all = new HashMap<>(config);
    all.put("keys.eaas.secretVersion", secretVersion);
    all.put("keys.eaas.minSecretVersion", minSecretVersion);
    return all;
  }

  private GatewayRuntime start(Map<String, String> config, Path users) throws Exception {
    return GatewayRuntime.start(
        new ConfigLoader().overrides(config, "test").settings(dir),
        new FileAuthenticator(new UsersFile(users)));
  }
}
