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
    String fingerprint;

    try (EmbeddedStack first = start(Map.of())) {
      password = first.generatedPassword().orElseThrow();
      assertThat(first.endpointLines().get(0))
          .isEqualTo("FTP: ftp://demo@127.0.0.1:" + first.ftpPort() + "/ (FTPS: AUTH TLS)");
      assertThat(first.endpointLines().get(1))
          .isEqualTo("FTPS: ftps://demo@127.0.0.1:" + first.ftpsPort() + "/ (implicit TLS)");
      assertThat(first.endpointLines().get(2))
          .isEqualTo(
              "TLS certificate: "
                  + dataDir.resolve("tls/certificate.pem")
                  + " SHA-256 "
                  + first.certificate().fingerprint()
                  + " (self-signed)");
      assertThat(first.endpointLines().get(3))
          .startsWith("S3: " + first.s3Endpoint() + " bucket=dropzone access-key=");
      fingerprint = first.certificate().fingerprint();
      accessKey = first.s3Credentials().accessKey();
      new FtpUser("demo", password, first.ftpPort(), work)
          .curl("-T", original.toString(), "ftp://127.0.0.1:" + first.ftpPort() + "/kept.bin")
          .assertOk("upload before restart");
    }

    try (EmbeddedStack second = start(Map.of())) {
      assertThat(second.generatedPassword()).as("the demo password is shown only once").isEmpty();
      assertThat(second.s3Credentials().accessKey()).isEqualTo(accessKey);
      assertThat(second.certificate().fingerprint())
          .as("the certificate is made once and reused")
          .isEqualTo(fingerprint);
      Path back = work.resolve("kept.back");
      new FtpUser("demo", password, second.ftpPort(), work)
          .curl("-o", back.toString(), "ftp://127.0.0.1:" + second.ftpPort() + "/kept.bin")
          .assertOk("download after restart");
      assertThat(EmbeddedEndToEndTest.sha256(back))
          .isEqualTo(EmbeddedEndToEndTest.sha256(original));
    }

    for (String secretFile :
        new String[] {
          "embedded.yaml", "users.yaml", "keys/master-keyset.json", "tls/private-key.pem"
        }) {
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
          new EmbeddedStack.Options(dataDir, "127.0.0.1", busy.getLocalPort(), "0", 0, 0, Map.of());

      assertThatThrownBy(() -> EmbeddedStack.start(taken)).isInstanceOf(Exception.class);
    }
    assertThat(new UsersFile(dataDir.resolve("users.yaml")).read())
        .as("no user whose password nobody saw")
        .isEmpty();

    try (EmbeddedStack next = start(Map.of())) {
      assertThat(next.generatedPassword()).isPresent();
    }
  }

  /**
   * Listening beyond loopback, plain FTP would carry passwords in clear over the network: logins
   * need TLS then. (All interfaces are bound; the test itself connects over loopback only.)
   */
  @Test
  void boundBeyondLoopbackLoginsNeedTls() throws Exception {
    ClientProcess.requireInstalled("curl");
    Map<String, char[]> users = Map.of("alice", "alice-password".toCharArray());
    try (EmbeddedStack stack =
        EmbeddedStack.start(new EmbeddedStack.Options(dataDir, "0.0.0.0", 0, "0", -1, 0, users))) {
      assertThat(stack.tlsRequired()).isTrue();
      assertThat(stack.endpointLines().get(0)).endsWith("(FTPS only: AUTH TLS on this port)");
      FtpUser alice = new FtpUser("alice", "alice-password", stack.ftpPort(), work);
      ClientProcess.Result plain = alice.curl("--list-only", alice.url("/"));
      assertThat(plain.exitCode()).isNotZero();
      assertThat(plain.output()).contains("530");
      alice
          .curlTls(stack.certificate().certificate(), "--list-only", alice.url("/"))
          .assertOk("listing over FTPS");
    }
  }

  private EmbeddedStack start(Map<String, char[]> users) throws Exception {
    return EmbeddedStack.start(
        new EmbeddedStack.Options(dataDir, "127.0.0.1", 0, "0", 0, 0, users));
  }
}
