package dev.dropzone.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as {@code serve} starts it: the audit file and xferlog come from the configuration,
 * logins name the users file as their source, and the FTP meters land in the gateway's registry.
 */
class OperationsThroughRuntimeTest {

  @TempDir Path dir;

  @Test
  void configuredAuditFileAndRegistrySeeTheSession() throws Exception {
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory()) {
      s3.bucket("ops", "");
      GatewaySettings settings =
          GatewaySettings.from(
              new ConfigLoader()
                  .overrides(
                      Map.of(
                          "s3.endpoint", s3.endpoint().toString(),
                          "s3.bucket", "ops",
                          "s3.accessKeyId", S3ProxyFixture.ACCESS_KEY,
                          "s3.secretAccessKey", S3ProxyFixture.SECRET_KEY,
                          "keys.keysetFile", "keyset.json",
                          "ftp.port", "0",
                          "ftp.passivePorts", "0",
                          "audit.target", "audit/audit.jsonl",
                          "audit.xferlog", "audit/xferlog"),
                      "test")
                  .load(),
              dir);
      LocalKeyService.create(dir.resolve("keyset.json"));
      new UsersFile(settings.usersFile())
          .write(
              List.of(UserEntry.of("frank", PasswordHashes.hash("frank-password".toCharArray()))));
      Path audit = dir.resolve("audit/audit.jsonl");
      try (GatewayRuntime runtime = GatewayRuntime.start(settings)) {
        FTPClient ftp = new FTPClient();
        ftp.connect("127.0.0.1", runtime.ftpPort());
        assertThat(ftp.login("frank", "guess")).isFalse();
        assertThat(ftp.login("frank", "frank-password")).isTrue();
        ftp.enterLocalPassiveMode();
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        assertThat(ftp.storeFile("report.csv", new ByteArrayInputStream(new byte[321]))).isTrue();
        ftp.logout();
        ftp.disconnect();

        await()
            .until(() -> Files.exists(audit) && Files.readString(audit).contains("session_close"));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(audit)) {
          lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines)
            .filteredOn(l -> l.get("event").asText().equals("login"))
            .extracting(l -> l.get("result").asText() + " " + l.get("backend").asText())
            .containsExactly("failed file", "ok file");
        assertThat(lines)
            .filteredOn(l -> l.get("event").asText().equals("upload"))
            .singleElement()
            .satisfies(
                l -> {
                  assertThat(l.get("path").asText()).isEqualTo("/report.csv");
                  assertThat(l.get("bytes").asLong()).isEqualTo(321);
                  assertThat(l.get("backend").asText()).isEqualTo("file");
                });
        assertThat(Files.readString(audit))
            .doesNotContain("frank-password")
            .doesNotContain("guess")
            .doesNotContain(S3ProxyFixture.SECRET_KEY);
        assertThat(Files.readAllLines(dir.resolve("audit/xferlog")))
            .singleElement()
            .asString()
            .endsWith(" 321 /report.csv b _ i r frank ftp 0 * c");

        String scrape = runtime.meters().scrape();
        assertThat(scrape)
            .contains("dropzone_ftp_logins_total{backend=\"file\",outcome=\"failed\"} 1.0")
            .contains("dropzone_ftp_logins_total{backend=\"file\",outcome=\"ok\"} 1.0")
            .contains("dropzone_ftp_transfer_bytes_total{direction=\"upload\"} 321.0");
      }
    }
  }
}
