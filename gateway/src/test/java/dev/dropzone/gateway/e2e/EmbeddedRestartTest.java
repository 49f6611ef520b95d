package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.embedded.EmbeddedStack;
import dev.dropzone.gateway.users.UsersFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data written before a restart on the same data directory reads back after it. */
class EmbeddedRestartTest {

  @TempDir Path dataDir;
  @TempDir Path work;

  @Test
  void filesKeysAndCredentialsSurviveARestart() throws Exception {
    ClientProcess.requireInstalled("curl");
    Path original = EmbeddedEndToEndTest.randomFile(work, "kept.bin", (1 << 20) + 99);
    String accessKey;
    String password;

    try (EmbeddedStack first = start(Map.of())) {
      password = first.generatedPassword().orElseThrow();
      assertThat(first.endpointLines().get(0))
          .isEqualTo("FTP: ftp://demo@127.0.0.1:" + first.ftpPort() + "/");
      assertThat(first.endpointLines().get(1))
          .startsWith("S3: " + first.s3Endpoint() + " bucket=dropzone access-key=");
      accessKey = first.s3Credentials().accessKey();
      new FtpUser("demo", password, first.ftpPort(), work)
          .curl("-T", original.toString(), "ftp://127.0.0.1:" + first.ftpPort() + "/kept.bin")
          .assertOk("upload before restart");
    }

    try (EmbeddedStack second = start(Map.of())) {
      assertThat(second.generatedPassword()).as("the demo password is shown only once").isEmpty();
      assertThat(second.s3Credentials().accessKey()).isEqualTo(accessKey);
      Path back = work.resolve("kept.back");
      new FtpUser("demo", password, second.ftpPort(), work)
          .curl("-o", back.toString(), "ftp://127.0.0.1:" + second.ftpPort() + "/kept.bin")
          .assertOk("download after restart");
      assertThat(EmbeddedEndToEndTest.sha256(back))
          .isEqualTo(EmbeddedEndToEndTest.sha256(original));
    }

    for (String secretFile :
        new String[] {"embedded.yaml", "users.yaml", "keys/master-keyset.json"}) {
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dataDir.resolve(secretFile))))
          .as(secretFile)
          .isEqualTo("rw-------");
    }
  }

  @Test
  void aFirstStartThatFailsLeavesNoDemoUserSoTheNextStartShowsThePassword() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      EmbeddedStack.Options taken =
          new EmbeddedStack.Options(dataDir, "127.0.0.1", busy.getLocalPort(), "0", 0, Map.of());

      assertThatThrownBy(() -> EmbeddedStack.start(taken)).isInstanceOf(Exception.class);
    }
    assertThat(new UsersFile(dataDir.resolve("users.yaml")).read())
        .as("no user whose password nobody saw")
        .isEmpty();

    try (EmbeddedStack next = start(Map.of())) {
      assertThat(next.generatedPassword()).isPresent();
    }
  }

  private EmbeddedStack start(Map<String, char[]> users) throws Exception {
    return EmbeddedStack.start(new EmbeddedStack.Options(dataDir, "127.0.0.1", 0, "0", 0, users));
  }
}
