package dev.dropzone.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dropzone serve}: configuration checks, and the runtime it starts against real S3. */
class ServeCommandTest {

  @TempDir Path dir;

  private Path config(String extra) throws IOException {
    Path file = dir.resolve("dropzone.yaml");
    Files.writeString(
        file,
        "s3:\n  bucket: dzone\n  endpoint: http://127.0.0.1:9\n  accessKeyId: a\n"
            + "  secretAccessKey: b\nkeys:\n  keysetFile: keys/keyset.json\n"
            + extra);
    return file;
  }

  @Test
  void checkValidatesWithoutStarting() throws Exception {
    // The preflight goes on to S3 and the key service, which this configuration cannot reach
    // (PreflightCommandTest covers those checks): only the configuration part matters here.
    UsersCommandTest.Run ok =
        UsersCommandTest.run("", "serve", "--config", config("").toString(), "--check");
    assertThat(ok.out()).contains("ok      configuration: valid");
    assertThat(ok.exitCode()).as("the keyset does not exist").isEqualTo(Main.USAGE);

    UsersCommandTest.Run bad =
        UsersCommandTest.run(
            "",
            "serve",
            "-c",
            config("ftp:\n  passivePorts: 5-2\n").toString(),
            "--set",
            "ftp.port=-1",
            "--check");
    assertThat(bad.exitCode()).isEqualTo(Main.USAGE);
    assertThat(bad.out())
        .contains("ftp.passivePorts: '5-2' is not a port range")
        .contains("(from config file ")
        .contains("ftp.port: '-1' is not a port (0-65535) (from --set)");
  }

  @Test
  void aBrokenUsersFileStopsTheStartWithItsProblem() throws Exception {
    Files.writeString(dir.resolve("users.yaml"), "users:\n  - name: x\n    passwordHash: secret\n");
    UsersCommandTest.Run run = UsersCommandTest.run("", "serve", "-c", config("").toString());
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.err()).contains("users file").contains("passwordHash is not an Argon2id");
  }

  @Test
  void theRuntimeServesFtpOverS3AndStopsListeningWhenClosed() throws Exception {
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory()) {
      s3.bucket("dzone", "");
      Path file = config("ftp:\n  port: 0\n  passivePorts: \"0\"\n");
      GatewaySettings settings =
          GatewaySettings.from(
              new ConfigLoader()
                  .file(file)
                  .overrides(
                      Map.of(
                          "s3.endpoint", s3.endpoint().toString(),
                          "s3.accessKeyId", S3ProxyFixture.ACCESS_KEY,
                          "s3.secretAccessKey", S3ProxyFixture.SECRET_KEY),
                      "test")
                  .load(),
              dir);
      LocalKeyService.create(dir.resolve("keys/keyset.json"));
      UsersFile users = new UsersFile(settings.usersFile());
      users.write(
          List.of(UserEntry.of("erin", PasswordHashes.hash("erin-password".toCharArray()))));

      int port;
      try (GatewayRuntime runtime = GatewayRuntime.start(settings, new FileAuthenticator(users))) {
        port = runtime.ftpPort();
        FTPClient ftp = new FTPClient();
        ftp.connect("127.0.0.1", port);
        assertThat(ftp.login("erin", "erin-password")).isTrue();
        ftp.enterLocalPassiveMode();
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        byte[] content = "served through the runtime".getBytes(StandardCharsets.UTF_8);
        assertThat(ftp.storeFile("hello.txt", new ByteArrayInputStream(content)))
            .as(ftp.getReplyString())
            .isTrue();
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertThat(ftp.retrieveFile("hello.txt", back)).as(ftp.getReplyString()).isTrue();
        assertThat(back.toByteArray()).isEqualTo(content);
        ftp.logout();
        ftp.disconnect();
      }

      assertThat(s3.blobStore().blobExists("dzone", "users/erin/hello.txt")).isTrue();
      assertThatThrownBy(() -> new FTPClient().connect("127.0.0.1", port))
          .as("no longer listening after close")
          .isInstanceOf(IOException.class);
    }
  }
}
