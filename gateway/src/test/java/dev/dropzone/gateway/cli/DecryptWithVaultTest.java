package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.vault.VaultTransitProtocolServer;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code dropzone cat} with a remote key service (the Vault Transit protocol server): it reads what
 * a gateway wrote through the same provider, and says so clearly when the service is down.
 */
class DecryptWithVaultTest {

  private static final String PASSWORD = "carol-password";

  @TempDir Path dir;

  @Test
  void readsThroughVaultAndReportsItsOutage() throws Exception {
    byte[] content = "minutes of the meeting".getBytes(StandardCharsets.UTF_8);
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory();
        VaultTransitProtocolServer vault = VaultTransitProtocolServer.start("transit", "s.token")) {
      vault.createKey("dropzone", false);
      s3.bucket("minutes", "");
      Map<String, String> config = new HashMap<>();
      config.put("s3.endpoint", s3.endpoint().toString());
      config.put("s3.bucket", "minutes");
      config.put("s3.accessKeyId", S3ProxyFixture.ACCESS_KEY);
      config.put("s3.secretAccessKey", S3ProxyFixture.SECRET_KEY);
      config.put("keys.provider", "vault");
      config.put("keys.vault.address", vault.uri().toString());
      config.put("keys.vault.key", "dropzone");
      config.put("keys.vault.token", "s.token");
      config.put("keys.http.maxAttempts", "1");
      config.put("users.file", "users.yaml");
      config.put("ftp.port", "0");
      config.put("ftp.passivePorts", "0");
      GatewaySettings settings = new ConfigLoader().overrides(config, "test").settings(dir);
      UsersFile users = new UsersFile(settings.usersFile());
      users.write(List.of(UserEntry.of("carol", PasswordHashes.hash(PASSWORD.toCharArray()))));
      try (GatewayRuntime gateway = GatewayRuntime.start(settings, new FileAuthenticator(users))) {
        new FtpUser(gateway, "carol", PASSWORD).store("minutes.txt", content);
      }

      Run read = cat(config, "--user", "carol", "/minutes.txt");
      vault.failNext(10, 503, "Vault is sealed");
      Run down = cat(config, "--user", "carol", "/minutes.txt");

      assertThat(read.code()).as(read.err()).isZero();
      assertThat(read.stdout()).isEqualTo(content);
      assertThat(down.code()).isEqualTo(Main.FAILED);
      assertThat(down.err())
          .contains("/minutes.txt of user carol: Key service unavailable")
          .contains("check that the key service is up and reachable");
      assertThat(down.stdout()).isEmpty();
    }
  }

  record Run(int code, byte[] stdout, String err) {}

  private Run cat(Map<String, String> config, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("cat"));
    all.addAll(List.of(args));
    Path file = Files.writeString(dir.resolve("dropzone.yaml"), "# all settings from --set\n");
    all.addAll(List.of("--config", file.toString()));
    config.forEach((k, v) -> all.addAll(List.of("--set", k + "=" + v)));
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine(new ByteArrayInputStream(new byte[0]), stdout, Map.of());
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, stdout.toByteArray(), err.toString());
  }
}
