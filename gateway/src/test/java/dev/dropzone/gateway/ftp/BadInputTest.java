package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hostile paths get a precise refusal and nothing is stored. */
class BadInputTest {

  private static GatewayUnderTest gw;

  @BeforeAll
  static void startGateway() throws Exception {
    gw = GatewayUnderTest.start();
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @AfterEach
  void nothingWasStored() {
    assertThat(gw.objectKeys()).noneMatch(k -> k.startsWith(GatewayUnderTest.PREFIX + "/users/"));
    assertThat(gw.pendingUploads()).isEmpty();
  }

  @Test
  void dotDotCannotLeaveTheHome() throws Exception {
    FTPClient client = gw.login("alice");
    try {
      String refusal = "553 Invalid file name: '..' leads outside your home directory";
      assertThat(client.changeWorkingDirectory("..")).isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
      assertThat(client.changeWorkingDirectory("/../../etc")).isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
      assertThat(client.storeFile("../bob/planted.txt", new ByteArrayInputStream(new byte[1])))
          .isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
      assertThat(client.retrieveFile("a/../../x", new ByteArrayOutputStream())).isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
      assertThat(client.makeDirectory("../escape")).isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
      assertThat(client.listFiles("../")).isEmpty();
      assertThat(client.getReplyString()).startsWith(refusal);
      assertThat(client.printWorkingDirectory()).isEqualTo("/");
    } finally {
      client.disconnect();
    }
  }

  @Test
  void nulAndCarriageReturnInNamesAreRefused() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("PASV")).startsWith("227");
      assertThat(control.send("STOR evil\0.txt")).isEqualTo("553 Invalid file name: contains NUL");
      assertThat(control.send("MKD evil\rdir")).isEqualTo("553 Invalid file name: contains CR/LF");
      assertThat(control.send("RNFR a\0b")).isEqualTo("553 Invalid file name: contains NUL");
      assertThat(control.send("NOOP")).startsWith("200");
    }
  }

  @Test
  void aNameInAnotherCodePageIsRefusedAsNotUtf8AndTheNextLineStillRuns() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      // "MKD März" from a client writing Windows-1252 (ä is one byte, 0xE4), and NOOP behind it.
      byte[] lines = "MKD M_rz\r\nNOOP\r\n".getBytes(StandardCharsets.US_ASCII);
      lines[5] = (byte) 0xE4;
      control.socket().getOutputStream().write(lines);
      assertThat(control.reply())
          .isEqualTo(
              "501 Command line is not valid UTF-8: send file names in UTF-8 (this server always"
                  + " uses it)");
      assertThat(control.reply()).startsWith("200");
      assertThat(control.send("MKD März")).startsWith("257");
      assertThat(control.send("RMD März")).startsWith("250");

      // Answered in turn: after the reply to the command sent before it.
      byte[] behind = "NOOP\r\nMKD M_rz\r\n".getBytes(StandardCharsets.US_ASCII);
      behind[11] = (byte) 0xE4;
      control.socket().getOutputStream().write(behind);
      assertThat(control.reply()).startsWith("200");
      assertThat(control.reply()).startsWith("501 Command line is not valid UTF-8");

      // A line end split across two reads, then a bad line: the decoder starts afresh after it.
      OutputStream out = control.socket().getOutputStream();
      out.write("NOOP\r".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(100);
      out.write(new byte[] {'\n', 'M', (byte) 0xE4, '\r', '\n', '\r', '\n'});
      out.write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(control.reply()).startsWith("200");
      assertThat(control.reply()).startsWith("501 Command line is not valid UTF-8");
      List<String> rest = new ArrayList<>();
      for (String reply = control.reply(); ; reply = control.reply()) {
        rest.add(reply);
        if (reply == null || reply.startsWith("200")) {
          break;
        }
      }
      assertThat(rest)
          .as("the empty line's answer, then NOOP's")
          .endsWith("200 Command NOOP okay.");
    }
  }

  @Test
  void twoThousandCharacterNamesAreRefused() throws Exception {
    FTPClient client = gw.login("alice");
    try {
      String name = "n".repeat(2000);
      String refusal = "553 Invalid file name: longer than 1024 bytes";
      assertThat(client.storeFile(name, new ByteArrayInputStream(new byte[1]))).isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
      assertThat(client.makeDirectory(name)).isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
    } finally {
      client.disconnect();
    }
  }

  @Test
  void namesOverTheNameLimitAreRefusedWithTheLimit() throws Exception {
    FTPClient client = gw.login("alice");
    try {
      String name = "n".repeat(256);
      String refusal =
          "553 Invalid file name: '"
              + "n".repeat(40)
              + "…' is 256 bytes long; names may have at most 255 bytes here (shorten it)";
      assertThat(client.storeFile(name, new ByteArrayInputStream(new byte[1]))).isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
      assertThat(client.appendFile(name, new ByteArrayInputStream(new byte[1]))).isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
      assertThat(client.makeDirectory(name)).isFalse();
      assertThat(client.getReplyString()).startsWith(refusal);
    } finally {
      client.disconnect();
    }
  }

  @Test
  void theReservedStateDirectoryIsOutOfReach() throws Exception {
    FTPClient client = gw.login("alice");
    try {
      assertThat(client.makeDirectory("/.dropzone")).isFalse();
      assertThat(client.getReplyString())
          .startsWith("553 Invalid file name: '.dropzone' is reserved");
      assertThat(client.storeFile("ok.txt", new ByteArrayInputStream(new byte[] {1}))).isTrue();
      // Every command that takes a path refuses the name at the top of the home, where the
      // gateway keeps its state when a home is the whole key space.
      for (String command :
          List.of(
              "CWD /.dropzone",
              "CWD .dropzone/keys",
              "RETR /.dropzone/keys/alice.json",
              "RETR /x/../.dropzone/keys/alice.json",
              "STOR /.dropzone/keys/alice.json",
              "APPE /.dropzone/keys/alice.json",
              "DELE /.dropzone/keys/alice.json",
              "SIZE /.dropzone/keys/alice.json",
              "MDTM /.dropzone/keys/alice.json",
              "MLST /.dropzone",
              "RMD /.dropzone",
              "HASH /.dropzone/keys/alice.json")) {
        assertThat(client.sendCommand(command)).as(command).isBetween(500, 599);
        assertThat(client.getReplyString()).as(command).contains("'.dropzone' is reserved");
      }
      assertThat(client.sendCommand("RNFR ok.txt")).isEqualTo(350);
      assertThat(client.sendCommand("RNTO /.dropzone")).isBetween(500, 599);
      assertThat(client.getReplyString()).contains("'.dropzone' is reserved");
      assertThat(client.deleteFile("ok.txt")).isTrue();
    } finally {
      client.disconnect();
    }
  }

  @Test
  void aPassiveDataConnectionFromAnotherAddressGetsNothing() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      String pasv = control.send("PASV");
      assertThat(pasv).startsWith("227");
      int port = RawControl.port(pasv);
      try (Socket thief = new Socket()) {
        // Another host, as far as the server can tell: the loopback network is 127.0.0.0/8.
        thief.bind(new InetSocketAddress("127.0.0.2", 0));
        thief.connect(new InetSocketAddress("127.0.0.1", port));
        assertThat(control.send("STOR stolen.txt")).startsWith("150");
        assertThat(control.reply())
            .isEqualTo(
                "425 Data connection refused: it came from another address than this control"
                    + " connection");
        assertThat(thief.getInputStream().read()).as("the server closed it").isEqualTo(-1);
      }
      assertThat(control.send("NOOP")).startsWith("200");
    }
  }

  @Test
  void renameAndTransfersNeedTheirPrerequisites() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("RNTO x")).isEqualTo("503 Send RNFR first");
      assertThat(control.send("RNFR missing")).startsWith("550");
      assertThat(control.send("STOR x.txt")).isEqualTo("503 Send PASV, EPSV, PORT or EPRT first");
      assertThat(control.send("STOR")).isEqualTo("501 STOR needs a file name");
      assertThat(control.send("MD5 x"))
          .isEqualTo(
              "502 MD5 is not supported by this server; HASH gives the SHA-256 recorded at upload");
    }
  }
}
