package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.UserKey;
import dev.dropzone.store.testing.TestKeys;
import dev.dropzone.store.testing.V1Objects;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MFMT, SITE UTIME and HASH through the real server where real clients do not go: permissions,
 * files written in format v1 (no time of their own, no recorded digest), directories, bad input.
 * The real clients' side (rclone, lftp, ftplib, curl) is in the e2e suite.
 */
class FileTimesAndHashesTest {

  private static final TestKeys KEYS = new TestKeys();
  private static GatewayUnderTest gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = GatewayUnderTest.start(new SettingsBuilder().build(), store -> KEYS);
    FTPClient alice = gateway.login("alice");
    assertThat(alice.makeDirectory("/docs")).isTrue();
    assertThat(alice.storeFile("/docs/v2.txt", new ByteArrayInputStream(new byte[] {1, 2, 3})))
        .isTrue();
    alice.logout();
    UserKey key = KEYS.forWriting(new KeyOwner("alice", "users/alice")).join();
    V1Objects.put(
        gateway.rawClient(),
        GatewayUnderTest.BUCKET,
        GatewayUnderTest.key("alice", "docs/v1.txt"),
        "alice",
        key.wrapped(),
        key.key(),
        "written by an older gateway".getBytes(StandardCharsets.UTF_8));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @Test
  void aFormatV1FileHasNoDigestAndNoTimeOfItsOwnToSet() throws Exception {
    FTPClient alice = gateway.login("alice");

    assertThat(alice.sendCommand("HASH /docs/v1.txt")).isEqualTo(550);
    assertThat(alice.getReplyString())
        .contains("No SHA-256 is recorded for /docs/v1.txt")
        .contains("upload it again");
    assertThat(alice.sendCommand("MFMT 20200102030405 /docs/v1.txt")).isEqualTo(504);
    assertThat(alice.sendCommand("MDTM /docs/v1.txt")).isEqualTo(213);
    // Still readable as before.
    assertThat(alice.retrieveFileStream("/docs/v1.txt").readAllBytes())
        .asString(StandardCharsets.UTF_8)
        .isEqualTo("written by an older gateway");
    assertThat(alice.completePendingCommand()).isTrue();
    alice.logout();
  }

  @Test
  void settingATimeNeedsWriteAndAHashNeedsRead() throws Exception {
    // The permission is checked before the path is looked up: these files are in alice's home.
    FTPClient reader = gateway.login("reader");
    assertThat(reader.sendCommand("MFMT 20200102030405 /docs/v2.txt")).isEqualTo(550);
    assertThat(reader.getReplyString()).contains("Permission denied");
    assertThat(reader.sendCommand("SITE UTIME 20200102030405 /docs/v2.txt")).isEqualTo(550);
    assertThat(reader.getReplyString()).contains("Permission denied");
    reader.logout();

    FTPClient dropbox = gateway.login("dropbox");
    assertThat(dropbox.sendCommand("HASH /docs/v2.txt")).isEqualTo(550);
    assertThat(dropbox.getReplyString()).contains("Permission denied");
    dropbox.logout();
  }

  @Test
  void malformedTimesAreRefusedWithTheExpectedForm() throws Exception {
    FTPClient alice = gateway.login("alice");
    for (String command :
        new String[] {
          "MFMT",
          "MFMT 20200102030405",
          "MFMT 2020-01-02 /docs/v2.txt",
          "MFMT 20200230000000 /docs/v2.txt",
          "MFMT 20200102036005 /docs/v2.txt",
          "SITE UTIME",
          "SITE UTIME /docs/v2.txt"
        }) {
      assertThat(alice.sendCommand(command)).as(command).isEqualTo(501);
      assertThat(alice.getReplyString()).as(command).contains("UTC time from 1970 on");
    }
    assertThat(alice.sendCommand("MFMT 20200102030405.5 /docs/v2.txt")).isEqualTo(213);
    assertThat(alice.sendCommand("MDTM /docs/v2.txt")).isEqualTo(213);
    assertThat(alice.getReplyString()).startsWith("213 20200102030405");
    alice.logout();
  }

  @Test
  void mdtmWithATimeFirstSetsTheTimeAsVsftpdDoesUnlessTheWholeArgumentNamesAFile()
      throws Exception {
    FTPClient alice = gateway.login("alice");
    assertThat(alice.changeWorkingDirectory("/docs")).isTrue();
    assertThat(alice.storeFile("dated.txt", new ByteArrayInputStream(new byte[] {4}))).isTrue();
    assertThat(alice.sendCommand("MDTM 20210304050607 dated.txt")).isEqualTo(213);
    assertThat(alice.getModificationTime("dated.txt")).isEqualTo("20210304050607");

    // A name that looks like the setting form is read, never changed.
    assertThat(alice.storeFile("20210304050607 x", new ByteArrayInputStream(new byte[] {5})))
        .isTrue();
    assertThat(alice.storeFile("x", new ByteArrayInputStream(new byte[] {6}))).isTrue();
    String uploaded = alice.getModificationTime("x");
    assertThat(alice.sendCommand("MDTM 20210304050607 x")).isEqualTo(213);
    assertThat(alice.getReplyString()).doesNotContain("20210304050607");
    assertThat(alice.getModificationTime("x")).isEqualTo(uploaded);
    // A time that is no time is a mistake to point out, not a file name to look for.
    for (String time : List.of("19691231235959", "20241399000000")) {
      assertThat(alice.sendCommand("MDTM " + time + " dated.txt")).isEqualTo(501);
      assertThat(alice.getReplyString()).contains("Expected MDTM YYYYMMDDhhmmss");
    }
    alice.logout();

    FTPClient reader = gateway.login("reader");
    assertThat(reader.sendCommand("MDTM 20210304050607 /docs/dated.txt")).isEqualTo(550);
    assertThat(reader.getReplyString()).contains("Permission denied");
    reader.logout();
  }

  @Test
  void hashRefusesDirectoriesAndMissingFiles() throws Exception {
    FTPClient alice = gateway.login("alice");
    assertThat(alice.sendCommand("HASH /docs")).isEqualTo(550);
    assertThat(alice.sendCommand("HASH /docs/missing.txt")).isEqualTo(550);
    assertThat(alice.sendCommand("HASH")).isEqualTo(501);
    for (String command : new String[] {"XSHA256", "XSHA1", "XCRC", "XMD5", "MD5"}) {
      assertThat(alice.sendCommand(command + " /docs/v2.txt")).as(command).isEqualTo(502);
      assertThat(alice.getReplyString())
          .as(command)
          .startsWith("502 " + command + " is not supported")
          .contains("HASH gives the SHA-256");
    }
    alice.logout();
  }
}
