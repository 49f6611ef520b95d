package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
            new UserEntry("single", hash, null, null, false, 1, null, null),
            UserEntry.of("boxowner", hash),
            new UserEntry(
                "cappedbox",
                hash,
                "users/boxowner",
                Set.of(Permission.WRITE),
                false,
                null,
                new UserEntry.Quota("1000", 3L),
                null),
            new UserEntry(
                "mover",
                hash,
                "users/owner",
                Set.of(Permission.LIST, Permission.READ, Permission.RENAME),
                false,
                null,
                null,
                null)));
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
  void aQuotaRefusalTellsAWriteOnlyUserNothingOfWhatTheHomeHolds() throws Exception {
    FTPClient owner = gw.login("boxowner", PASSWORD);
    assertThat(owner.storeFile("secret.bin", new ByteArrayInputStream(bytes(600)))).isTrue();
    owner.logout();
    owner.disconnect();

    FTPClient box = gw.login("cappedbox", PASSWORD);
    try {
      // Replacing secret.bin would fit in 1000 bytes if its 600 were credited, a new name would
      // not: a difference that would tell the name exists, and comparing limits its size.
      List<String> replies = new ArrayList<>();
      for (String name : List.of("secret.bin", "missing.bin")) {
        assertThat(box.storeFile(name, new ByteArrayInputStream(bytes(500)))).isFalse();
        replies.add(box.getReplyCode() + " " + box.getReplyString().trim());
      }
      assertThat(box.appendFile("secret.bin", new ByteArrayInputStream(bytes(500)))).isFalse();
      replies.add(box.getReplyCode() + " " + box.getReplyString().trim());
      assertThat(replies)
          .containsOnly(
              "552 552 Quota exceeded: cappedbox may store 1000 bytes, and this upload does not fit; nothing was stored");

      // What fits on top of the whole home is stored.
      assertThat(box.storeFile("small.bin", new ByteArrayInputStream(bytes(300)))).isTrue();
      assertThat(box.storeFile("full.bin", new ByteArrayInputStream(bytes(50)))).isTrue();
      // Three files now: replacing one is refused like a new name would be.
      for (String name : List.of("small.bin", "other.bin")) {
        assertThat(box.storeFile(name, new ByteArrayInputStream(bytes(1)))).isFalse();
        assertThat(box.getReplyString().trim())
            .isEqualTo(
                "552 Quota exceeded: cappedbox may store 3 files, and this upload does not fit;"
                    + " nothing was stored");
      }
    } finally {
      box.logout();
      box.disconnect();
    }
    assertThat(gw.pendingUploads()).isEmpty();
  }

  @Test
  void aMoveOnlyUserCannotReplaceAFileByRenamingAnotherOntoIt() throws Exception {
    FTPClient owner = gw.login("owner", PASSWORD);
    assertThat(owner.storeFile("docs/junk.txt", new ByteArrayInputStream(bytes(7)))).isTrue();
    owner.logout();
    owner.disconnect();

    FTPClient mover = gw.login("mover", PASSWORD);
    try {
      assertThat(mover.rnfr("docs/junk.txt")).isEqualTo(350);
      assertThat(mover.rnto("docs/report.txt")).isEqualTo(550);
      assertThat(mover.getReplyString())
          .contains(
              "Permission denied: /docs/report.txt exists, and replacing it needs write or"
                  + " delete");
      ByteArrayOutputStream report = new ByteArrayOutputStream();
      assertThat(mover.retrieveFile("docs/report.txt", report)).isTrue();
      assertThat(report.toByteArray()).isEqualTo(bytes(1000));

      // Moving to a free name is what the permission is for.
      assertThat(mover.rename("docs/junk.txt", "moved.txt")).isTrue();
      assertThat(mover.listNames("/")).contains("moved.txt");
    } finally {
      mover.logout();
      mover.disconnect();
    }
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
