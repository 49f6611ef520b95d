package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-user settings from the users file, enforced through the real FTP server: read-only users,
 * quotas and the session limit.
 */
class AccountLimitsTest {

  private static final String PASSWORD = "limits password";
  private static final int MIB = 1 << 20;

  @TempDir static Path dir;
  private static GatewayUnderTest gw;

  @BeforeAll
  static void start() throws Exception {
    String hash = PasswordHashes.hash(PASSWORD.toCharArray());
    UsersFile users = new UsersFile(dir.resolve("users.yaml"));
    users.write(
        List.of(
            UserEntry.of("owner", hash),
            new UserEntry("auditor", hash, "users/owner", null, true),
            new UserEntry(
                "capped", hash, null, null, false, null, new UserEntry.Quota("5MiB", 2L), null),
            new UserEntry("single", hash, null, null, false, 1, null, null)));
    gw = GatewayUnderTest.start(new FileAuthenticator(users));
    FTPClient owner = gw.login("owner", PASSWORD);
    assertThat(owner.makeDirectory("docs")).isTrue();
    assertThat(owner.storeFile("docs/report.txt", new ByteArrayInputStream(bytes(1000)))).isTrue();
    owner.logout();
    owner.disconnect();
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void readOnlyUserListsAndDownloadsButEveryWriteIsRefusedWith550() throws Exception {
    List<String> before = gw.objectKeys();
    FTPClient auditor = gw.login("auditor", PASSWORD);

    FTPFile[] listing = auditor.listFiles("docs");
    assertThat(listing).extracting(FTPFile::getName).containsExactly("report.txt");
    ByteArrayOutputStream download = new ByteArrayOutputStream();
    assertThat(auditor.retrieveFile("docs/report.txt", download)).isTrue();
    assertThat(download.toByteArray()).isEqualTo(bytes(1000));

    assertThat(auditor.storeFile("new.txt", new ByteArrayInputStream(bytes(10)))).isFalse();
    assertThat(auditor.getReplyCode()).as(auditor.getReplyString()).isEqualTo(550);
    assertThat(auditor.appendFile("docs/report.txt", new ByteArrayInputStream(bytes(10))))
        .isFalse();
    assertThat(auditor.getReplyCode()).isEqualTo(550);
    assertThat(auditor.storeUniqueFile(new ByteArrayInputStream(bytes(10)))).isFalse();
    assertThat(auditor.getReplyCode()).isEqualTo(550);
    assertThat(auditor.deleteFile("docs/report.txt")).isFalse();
    assertThat(auditor.getReplyCode()).isEqualTo(550);
    assertThat(auditor.makeDirectory("more")).isFalse();
    assertThat(auditor.getReplyCode()).isEqualTo(550);
    assertThat(auditor.removeDirectory("docs")).isFalse();
    assertThat(auditor.getReplyCode()).isEqualTo(550);
    assertThat(auditor.rnfr("docs/report.txt")).isEqualTo(550);
    assertThat(auditor.rnto("docs/renamed.txt")).isEqualTo(550);
    auditor.logout();
    auditor.disconnect();

    assertThat(gw.objectKeys()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void uploadCrossingTheByteQuotaGets552AndLeavesNoObjectAndNoMultipartUpload() throws Exception {
    FTPClient capped = gw.login("capped", PASSWORD);

    int reply = UploadClient.storeUntilRefused(capped, "big.bin", Content.random(8, 8L * MIB));

    assertThat(reply).as(capped.getReplyString()).isEqualTo(552);
    assertThat(capped.getReplyString()).contains("Quota exceeded").contains("5242880 bytes");
    assertThat(gw.objectKeys()).doesNotContain(GatewayUnderTest.key("capped", "big.bin"));
    assertThat(gw.pendingUploads()).isEmpty();

    // What fits is still accepted, up to the file count.
    assertThat(capped.storeFile("a.bin", Content.random(1, MIB))).isTrue();
    assertThat(capped.storeFile("b.bin", Content.random(2, MIB))).isTrue();
    assertThat(capped.storeFile("c.bin", Content.random(3, 10))).isFalse();
    assertThat(capped.getReplyCode()).isEqualTo(552);
    assertThat(capped.getReplyString()).contains("at most 2 files");
    // Replacing a file does not count it twice.
    assertThat(capped.storeFile("a.bin", Content.random(4, 2L * MIB))).isTrue();
    capped.logout();
    capped.disconnect();
  }

  @Test
  void aSecondSessionBeyondTheLimitIsRefusedUntilTheFirstEnds() throws Exception {
    // Another test's session of single gives its place back a moment after its client saw 221.
    FTPClient first = gw.connect();
    await().atMost(Duration.ofSeconds(10)).until(() -> first.login("single", PASSWORD));
    FTPClient second = gw.connect();

    assertThat(second.login("single", PASSWORD)).isFalse();
    assertThat(second.getReplyCode()).isEqualTo(530);
    assertThat(second.getReplyString()).contains("Too many sessions for user single");

    first.logout();
    first.disconnect();
    await().atMost(Duration.ofSeconds(10)).until(() -> second.login("single", PASSWORD));
    second.logout();
    second.disconnect();
  }

  @Test
  void aSessionThatLogsOutWithReinGivesItsPlaceBack() throws Exception {
    try (RawControl first = new RawControl(gw.port())) {
      first.reply();
      assertThat(first.login("single", PASSWORD)).startsWith("230");
      assertThat(first.send("REIN")).startsWith("220");

      FTPClient second = gw.login("single", PASSWORD);
      assertThat(first.login("single", PASSWORD))
          .startsWith("530 Too many sessions for user single");
      second.logout();
      second.disconnect();
    }
  }

  private static byte[] bytes(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 31);
    }
    return b;
  }
}
