package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.kek.testing.TestCertificate;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that opens a protected (PROT P) data connection and then feeds the TLS handshake one
 * byte at a time never trips a read timeout; the handshake's own deadline ends it, so it cannot
 * hold a transfer slot and a command thread for ever.
 */
class StalledTlsHandshakeTest {

  @TempDir Path dir;

  @Test
  void aDataConnectionWhoseHandshakeTricklesIsRefusedAtTheDeadlineAndFreesItsSlot()
      throws Exception {
    try (GatewayUnderTest gw = gateway(Duration.ofSeconds(2))) {
      FTPSClient client = protectedClientWithAFile(gw);
      try (Socket data = new Socket("127.0.0.1", passivePort(client))) {
        Thread trickle = trickling(data);
        int reply = client.sendCommand("RETR a.txt");
        if (reply == 150) {
          reply = client.getReply();
        }
        assertThat(reply).as(client.getReplyString()).isEqualTo(425);
        assertThat(client.getReplyString())
            .contains("The TLS handshake on the data connection did not finish within 2 s");
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway.runningTransfers() == 0);
        trickle.interrupt();
      }
      assertThat(client.sendNoOp()).as("the session carries on").isTrue();
      client.disconnect();
    }
  }

  @Test
  void abortEndsATransferWhoseHandshakeTricklesAtOnce() throws Exception {
    // Long enough that only the ABOR can end it within the test's waits.
    try (GatewayUnderTest gw = gateway(Duration.ofSeconds(60))) {
      FTPSClient client = protectedClientWithAFile(gw);
      try (Socket data = new Socket("127.0.0.1", passivePort(client))) {
        Thread trickle = trickling(data);
        assertThat(client.sendCommand("RETR a.txt")).as(client.getReplyString()).isEqualTo(150);
        // The ABOR must find the handshake under way, reading the trickle.
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> gw.gateway.dataHandshakesInProgress() == 1);
        List<String> replies = new ArrayList<>();
        client.sendCommand("ABOR");
        replies.add(client.getReplyString().trim());
        while (!replies.get(replies.size() - 1).startsWith("2")) {
          client.getReply();
          replies.add(client.getReplyString().trim());
        }
        assertThat(replies).as("the RETR failed, then the ABOR was answered").hasSize(2);
        assertThat(replies.get(0)).startsWith("4");
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway.runningTransfers() == 0);
        trickle.interrupt();
      }
      assertThat(client.sendNoOp()).as("the session carries on").isTrue();
      client.disconnect();
    }
  }

  private GatewayUnderTest gateway(Duration dataConnectTimeout) throws Exception {
    TestCertificate certificate = TestCertificate.forLoopback("dropzone-test");
    SettingsBuilder settings = new SettingsBuilder();
    settings.tls =
        SettingsBuilder.tlsWithoutSessionReuse(
            certificate.writeCertificatePem(dir.resolve("certificate.pem")),
            certificate.writePrivateKeyPem(dir.resolve("key.pem")));
    settings.dataConnectTimeout = dataConnectTimeout;
    this.certificate = certificate;
    return GatewayUnderTest.start(settings.build());
  }

  private TestCertificate certificate;

  /** Logged in as alice with PROT P, having stored a.txt. */
  private FTPSClient protectedClientWithAFile(GatewayUnderTest gw) throws Exception {
    FTPSClient client = new FTPSClient(false);
    client.setTrustManager(certificate.trustManager());
    client.connect("127.0.0.1", gw.port());
    client.setSoTimeout(20_000);
    assertThat(client.login("alice", TestUsers.PASSWORD)).isTrue();
    client.execPBSZ(0);
    client.execPROT("P");
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    assertThat(client.storeFile("a.txt", new ByteArrayInputStream(new byte[] {1, 2, 3}))).isTrue();
    return client;
  }

  private static int passivePort(FTPSClient client) throws Exception {
    assertThat(client.sendCommand("EPSV")).isEqualTo(229);
    Matcher port = Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)").matcher(client.getReplyString());
    assertThat(port.find()).isTrue();
    return Integer.parseInt(port.group(1));
  }

  private static Thread trickling(Socket data) {
    Thread trickle = new Thread(() -> trickle(data), "trickling-handshake");
    trickle.setDaemon(true);
    trickle.start();
    return trickle;
  }

  /** A TLS record header announcing 16 KiB, then one byte every half second. */
  private static void trickle(Socket data) {
    try {
      OutputStream out = data.getOutputStream();
      out.write(new byte[] {0x16, 0x03, 0x01, 0x40, 0x00});
      while (!Thread.currentThread().isInterrupted()) {
        out.flush();
        Thread.sleep(500);
        out.write("x".getBytes(StandardCharsets.US_ASCII));
      }
    } catch (Exception e) {
      // The server closed the connection, or the test is over.
    }
  }
}
