package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.LogCapture;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.FtpEventListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A name may end in spaces (Linux and macOS allow it, and mirroring clients send it as it is). MINA
 * FtpServer trims each command line, so {@code STOR "report "} used to overwrite {@code report}:
 * every command that takes a name must see it whole.
 */
class TrailingSpaceNamesTest {

  private static GatewayUnderTest gw;

  @BeforeAll
  static void startGateway() throws Exception {
    gw = GatewayUnderTest.start();
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @Test
  void aNameEndingInSpacesIsADifferentFileFromTheNameWithout() throws Exception {
    FTPClient ftp = gw.login("alice");
    try {
      assertThat(ftp.makeDirectory("spaced")).isTrue();
      assertThat(ftp.changeWorkingDirectory("spaced")).isTrue();
      assertThat(ftp.storeFile("report", bytes("plain"))).isTrue();
      assertThat(ftp.storeFile("report ", bytes("one space"))).as(ftp.getReplyString()).isTrue();
      assertThat(ftp.storeFile("report  ", bytes("two spaces"))).isTrue();

      assertThat(Arrays.asList(ftp.listNames()))
          .containsExactlyInAnyOrder("report", "report ", "report  ");
      assertThat(read(ftp, "report")).isEqualTo("plain");
      assertThat(read(ftp, "report ")).isEqualTo("one space");
      assertThat(read(ftp, "report  ")).isEqualTo("two spaces");
      assertThat(ftp.sendCommand("SIZE", "report ")).isEqualTo(213);
      assertThat(ftp.getReplyString().strip()).isEqualTo("213 9");
      assertThat(ftp.sendCommand("MLST", "report  ")).isEqualTo(250);
      assertThat(ftp.getReplyString()).contains("size=10;").contains(" /spaced/report  \r\n");
      assertThat(ftp.sendCommand("MFMT", "20200102030405 report ")).isEqualTo(213);
      assertThat(ftp.getModificationTime("report ")).isEqualTo("20200102030405");
      assertThat(ftp.getModificationTime("report")).isNotEqualTo("20200102030405");

      assertThat(ftp.rename("report ", "final ")).as(ftp.getReplyString()).isTrue();
      assertThat(ftp.deleteFile("report  ")).isTrue();
      assertThat(Arrays.asList(ftp.listNames())).containsExactlyInAnyOrder("report", "final ");
      assertThat(read(ftp, "final ")).isEqualTo("one space");
      assertThat(read(ftp, "report")).isEqualTo("plain");
      assertThat(gw.objectKeys())
          .contains(GatewayUnderTest.key("alice", "spaced/final "))
          .doesNotContain(GatewayUnderTest.key("alice", "spaced/report "));
    } finally {
      ftp.disconnect();
    }
  }

  @Test
  void aDirectoryNameEndingInASpaceIsKeptByEveryDirectoryCommand() throws Exception {
    FTPClient ftp = gw.login("bob");
    try {
      assertThat(ftp.makeDirectory("inbox ")).isTrue();
      assertThat(ftp.getReplyString()).startsWith("257 \"/inbox \"");
      assertThat(ftp.changeWorkingDirectory("inbox ")).isTrue();
      assertThat(ftp.printWorkingDirectory()).isEqualTo("/inbox ");
      assertThat(ftp.storeFile("a.txt", bytes("inside"))).isTrue();
      assertThat(ftp.changeWorkingDirectory("/")).isTrue();
      assertThat(ftp.listNames("inbox ")).containsExactly("a.txt");
      assertThat(ftp.listNames("inbox")).isNullOrEmpty();
      assertThat(ftp.getReplyCode()).isEqualTo(550);
      assertThat(ftp.removeDirectory("inbox")).isFalse();
      assertThat(ftp.deleteFile("inbox /a.txt")).isTrue();
      assertThat(ftp.removeDirectory("inbox ")).isTrue();
    } finally {
      ftp.disconnect();
    }
  }

  @Test
  void otherTrailingWhiteSpaceIsNoPartOfAName() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("bob");
      String pasv = control.send("PASV");
      try (Socket data = new Socket("127.0.0.1", RawControl.port(pasv))) {
        assertThat(control.send("STOR tabbed.txt \t")).startsWith("150");
        data.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
        data.close();
        assertThat(control.reply()).startsWith("226");
      }
      assertThat(control.send("SIZE tabbed.txt")).isEqualTo("213 1");
      // A time followed by spaces names no file, as STOR followed by spaces does not.
      assertThat(control.send("MFMT 20200102030405  ")).startsWith("501 Expected MFMT");
      assertThat(control.send("STOR   ")).startsWith("501");
      // A password's trailing spaces are left as they were: only names are read whole.
      assertThat(control.send("REIN")).startsWith("220");
      assertThat(control.send("USER bob")).startsWith("331");
      assertThat(control.send("PASS " + TestUsers.PASSWORD + "  ")).startsWith("230");
    }
  }

  @Test
  void aRefusalIsAuditedWithTheNameAsSentAndTheFiveFieldSiteUtimeIgnoresTrailingSpaces()
      throws Exception {
    List<FtpEvent> events = new CopyOnWriteArrayList<>();
    try (GatewayUnderTest own = GatewayUnderTest.start((FtpEventListener) events::add)) {
      FTPClient alice = own.login("alice");
      try {
        assertThat(alice.storeFile("dated ", bytes("x"))).isTrue();
        // The path comes first in this form, so what follows UTC is no part of it.
        assertThat(
                alice.sendCommand(
                    "SITE", "UTIME dated  20200102030405 20200102030405 20200102030405 UTC "))
            .as(alice.getReplyString())
            .isEqualTo(200);
        assertThat(alice.getModificationTime("dated ")).isEqualTo("20200102030405");
      } finally {
        alice.disconnect();
      }
      FTPClient reader = own.login("reader");
      try (LogCapture log = LogCapture.of("dev.dropzone.gateway.ftp.command.StoreCommand")) {
        assertThat(reader.sendCommand("RNFR", "dated ")).isEqualTo(550);
        assertThat(log.lines()).anyMatch(line -> line.contains("reader 'RNFR dated ' refused"));
      } finally {
        reader.disconnect();
      }
      await()
          .untilAsserted(
              () ->
                  assertThat(events)
                      .filteredOn(FtpEvent.Refused.class::isInstance)
                      .map(e -> ((FtpEvent.Refused) e).path())
                      .containsExactly("dated "));
    }
  }

  private static InputStream bytes(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(FTPClient ftp, String name) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ftp.retrieveFile(name, out)).as(ftp.getReplyString()).isTrue();
    return out.toString(StandardCharsets.UTF_8);
  }
}
