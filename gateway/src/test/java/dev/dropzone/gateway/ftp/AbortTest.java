package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ABOR (RFC 959 §4.1.3) reaches the running transfer wherever it is, and an aborted upload stores
 * nothing: the transfer is answered 426, then ABOR 226.
 */
class AbortTest {

  private static final int MIB = 1 << 20;
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static GatewayUnderTest gw;

  @BeforeAll
  static void startGateway() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxConnectionsPerIp = 100;
    gw = GatewayUnderTest.start(settings.build());
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @Test
  void aborThenCloseAtTenPointsOfAFortyMibUploadStoresNothing() throws Exception {
    for (int point = 1; point <= 10; point++) {
      String name = "aborted-" + point + ".bin";
      try (RawControl control = new RawControl(gw.port())) {
        control.reply();
        control.login("alice");
        control.send("TYPE I");
        Socket data = control.passive();
        assertThat(control.send("STOR " + name)).startsWith("150");
        // Point 10 is the whole file: even then ABOR before the close means "do not keep it".
        try (InputStream content = Content.random(point, point * 4L * MIB)) {
          content.transferTo(data.getOutputStream());
        }
        control.sendOnly("ABOR");
        data.close();
        assertThat(control.reply()).as("point %d", point).startsWith("426 Transfer aborted");
        assertThat(control.reply()).as("point %d", point).startsWith("226");
        assertThat(control.send("NOOP")).startsWith("200");
      }
      await().atMost(WAIT).until(() -> gw.gateway.runningTransfers() == 0);
      assertThat(gw.objectKeys()).as("point %d", point).noneMatch(k -> k.endsWith("/" + name));
      assertThat(gw.pendingUploads()).as("point %d", point).isEmpty();
    }
  }

  @Test
  void aborWhileTheUploadWaitsForItsDataConnectionStoresNothing() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("PASV")).startsWith("227");
      assertThat(control.send("STOR never.bin")).startsWith("150");
      control.sendOnly("ABOR");
      assertThat(control.reply()).startsWith("426 Transfer aborted: aborted by the client");
      assertThat(control.reply()).startsWith("226");
    }
    assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("/never.bin"));
  }

  @Test
  void aborStopsADownloadWhoseClientStoppedReading() throws Exception {
    upload("big.bin", Content.bytes(7, 24 * MIB));
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      control.send("TYPE I");
      Socket data = control.passive();
      assertThat(control.send("RETR big.bin")).startsWith("150");
      // Nothing is read: the download blocks once the socket buffers are full.
      await().atMost(WAIT).until(() -> gw.gateway.bytesInFlight() > 0);
      control.sendOnly("ABOR");
      assertThat(control.reply()).startsWith("426 Transfer aborted: aborted by the client");
      assertThat(control.reply()).startsWith("226");
      data.close();
    }
    await().atMost(WAIT).until(() -> gw.gateway.runningTransfers() == 0);
  }

  @Test
  void aborStopsAListingThatWaitsForItsDataConnection() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("PASV")).startsWith("227");
      assertThat(control.send("LIST")).startsWith("150");
      control.sendOnly("ABOR");
      assertThat(control.reply()).startsWith("426 Listing aborted: aborted by the client");
      assertThat(control.reply()).startsWith("226");
      assertThat(control.send("NOOP")).startsWith("200");
    }
  }

  @Test
  void aborWithoutATransferIsAnswered226() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("ABOR")).startsWith("226");
    }
  }

  @Test
  void aborAfterTheTelnetAbortSequenceIsUnderstood() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("PASV")).startsWith("227");
      assertThat(control.send("STOR telnet.bin")).startsWith("150");
      // IAC IP, then IAC DM whose DM goes as urgent data (which the server's kernel takes out of
      // the stream), then ABOR: what lftp sends.
      OutputStream raw = control.socket().getOutputStream();
      raw.write(new byte[] {(byte) 0xFF, (byte) 0xF4, (byte) 0xFF});
      raw.flush();
      control.socket().sendUrgentData(0xF2);
      raw.write("ABOR\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      raw.flush();
      assertThat(control.reply()).startsWith("426 Transfer aborted: aborted by the client");
      assertThat(control.reply()).startsWith("226");
      assertThat(control.send("NOOP")).startsWith("200");
    }
    assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("/telnet.bin"));
  }

  @Test
  void commonsNetAbortsAnUploadAndCarriesOn() throws Exception {
    UploadClient client = new UploadClient();
    client.connect("127.0.0.1", gw.port());
    client.login("alice", TestUsers.PASSWORD);
    client.enterLocalPassiveMode();
    client.setFileType(FTPClient.BINARY_FILE_TYPE);
    Socket data = client.beginStore("commons.bin");
    data.getOutputStream().write(Content.bytes(3, 3 * MIB));
    // Commons Net reads one reply for ABOR: the transfer's 426. ABOR's own 226 follows it.
    client.abort();
    data.close();
    assertThat(client.getReplyString()).startsWith("426 Transfer aborted");
    client.completePendingCommand();
    assertThat(client.getReplyString()).startsWith("226");
    assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("/commons.bin"));
    byte[] after = Content.bytes(4, MIB);
    assertThat(client.storeFile("after-abort.bin", new ByteArrayInputStream(after)))
        .as(client.getReplyString())
        .isTrue();
    client.disconnect();
  }

  private static void upload(String name, byte[] content) throws IOException {
    FTPClient alice = gw.login("alice");
    try {
      assertThat(alice.storeFile(name, new ByteArrayInputStream(content)))
          .as(alice.getReplyString())
          .isTrue();
    } finally {
      alice.disconnect();
    }
  }
}
