package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A write-only "drop box" user can upload but learns nothing about what is there: no command
 * reveals a name, size or date, whether through Dropzone's listings or MINA's STAT.
 */
class WriteOnlyUserTest {

  private static final String SECRET = "quarterly-figures.xlsx";
  private static final int SIZE = 123_457;

  private static GatewayUnderTest gw;

  @BeforeAll
  static void startGatewayAndDropAFile() throws Exception {
    gw = GatewayUnderTest.start();
    FTPClient dropbox = gw.login("dropbox");
    try {
      assertThat(dropbox.makeDirectory("inbox")).isFalse();
      assertThat(dropbox.storeFile(SECRET, new ByteArrayInputStream(Content.bytes(1, SIZE))))
          .as(dropbox.getReplyString())
          .isTrue();
      assertThat(dropbox.getReplyString()).doesNotContain(Integer.toString(SIZE + 1));
    } finally {
      dropbox.disconnect();
    }
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @Test
  void noCommandRevealsWhatTheHomeHolds() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.login("dropbox")).startsWith("230");
      for (String command :
          List.of(
              "STAT /",
              "STAT .",
              "STAT " + SECRET,
              "STAT -la /",
              "MLST " + SECRET,
              "MLST /",
              "SIZE " + SECRET,
              "MDTM " + SECRET,
              "SIZE missing.bin")) {
        String reply = control.send(command);
        assertThat(reply).as(command).startsWith("550 Permission denied");
        assertThat(reply).as(command).doesNotContain(SECRET).doesNotContain(Integer.toString(SIZE));
      }
      for (String listing : List.of("LIST", "LIST /", "NLST", "MLSD", "LIST " + SECRET)) {
        try (Socket data = control.passive()) {
          assertThat(control.send(listing)).as(listing).startsWith("550 Permission denied");
          assertThat(data.getInputStream().read()).as(listing + " sends no data").isEqualTo(-1);
        } catch (java.net.SocketException reset) {
          // The unused data connection was closed with a reset: nothing was sent either way.
        }
      }
      String status = control.send("STAT");
      assertThat(status).startsWith("211").doesNotContain(SECRET);
    }
  }

  @Test
  void settingATimeAnswersAlikeForAnExistingAndAMissingName() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.login("dropbox")).startsWith("230");
      for (String form :
          List.of("MFMT 20200102030405 ", "MDTM 20200102030405 ", "SITE UTIME 202001020304 ")) {
        String existing = control.send(form + SECRET);
        String missing = control.send(form + "missing.bin");
        assertThat(existing).as(form).startsWith("550 Permission denied").isEqualTo(missing);
      }
      String fiveFields = " 20200102030405 20200102030405 20200102030405 UTC";
      assertThat(control.send("SITE UTIME " + SECRET + fiveFields))
          .isEqualTo(control.send("SITE UTIME missing.bin" + fiveFields));
    }
    FTPClient owner = gw.login("dropbox");
    try {
      // What the drop box stored in this session it may date, as lftp's mirror -R does.
      assertThat(owner.storeFile("dated.bin", new ByteArrayInputStream(new byte[] {7}))).isTrue();
      assertThat(owner.sendCommand("MFMT", "20200102030405 dated.bin"))
          .as(owner.getReplyString())
          .isEqualTo(213);
      assertThat(owner.sendCommand("MFMT", "20200102030405 " + SECRET)).isEqualTo(550);
    } finally {
      owner.disconnect();
    }
    assertThat(metadata("dated.bin")).containsEntry("dz-mtime", "1577934245000");
    assertThat(metadata(SECRET)).doesNotContainEntry("dz-mtime", "1577934245000");
  }

  @Test
  void restartingAnUploadOrChangingIntoANameAnswersAlikeForAFileAndAMissingName() throws Exception {
    List<String> keysBefore = gw.objectKeys();
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.login("dropbox")).startsWith("230");
      List<String> replies = new ArrayList<>();
      for (String name : List.of(SECRET, "missing.bin")) {
        replies.add(control.send("CWD " + name).replace(name, "NAME"));
        try (Socket data = control.passive()) {
          assertThat(control.send("REST 999999999999")).startsWith("350");
          replies.add(control.send("STOR " + name).replace(name, "NAME"));
        } catch (java.net.SocketException reset) {
          // The unused data connection was closed with a reset: nothing was sent either way.
        }
      }
      assertThat(replies.get(0)).startsWith("550").isEqualTo(replies.get(2));
      assertThat(replies.get(1)).startsWith("550 Permission denied").isEqualTo(replies.get(3));
      assertThat(String.join("\n", replies)).doesNotContain(Integer.toString(SIZE).substring(0, 3));
      assertThat(control.send("PWD")).isEqualTo("257 \"/\" is the current directory");
    }
    assertThat(gw.objectKeys()).isEqualTo(keysBefore);

    // What the session stored itself it may resume.
    FTPClient owner = gw.login("dropbox");
    try {
      assertThat(owner.storeFile("resumed.bin", new ByteArrayInputStream(Content.bytes(2, 10))))
          .isTrue();
      owner.setRestartOffset(10);
      assertThat(owner.storeFile("resumed.bin", new ByteArrayInputStream(Content.bytes(3, 5))))
          .as(owner.getReplyString())
          .isTrue();
    } finally {
      owner.disconnect();
    }
    assertThat(gw.objectKeys()).contains(GatewayUnderTest.key("dropbox", "resumed.bin"));
  }

  @Test
  void appendingDoesNotRevealTheSizeOfWhatWasThere() throws Exception {
    FTPClient dropbox = gw.login("dropbox");
    try {
      assertThat(dropbox.appendFile(SECRET, new ByteArrayInputStream(new byte[] {1, 2, 3})))
          .as(dropbox.getReplyString())
          .isTrue();
      assertThat(dropbox.getReplyString())
          .contains("3 bytes received")
          .doesNotContain(Integer.toString(SIZE + 3));
    } finally {
      dropbox.disconnect();
    }
  }

  private static java.util.Map<String, String> metadata(String file) {
    return gw.rawClient()
        .headObject(
            b -> b.bucket(GatewayUnderTest.BUCKET).key(GatewayUnderTest.key("dropbox", file)))
        .metadata();
  }
}
