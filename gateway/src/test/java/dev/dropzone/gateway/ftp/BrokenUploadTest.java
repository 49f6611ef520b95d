package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A transfer that breaks off must never become an object. */
class BrokenUploadTest {

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
  void aDataConnectionCutAfterTenMibLeavesNoObjectAndNoMultipartUpload() throws Exception {
    UploadClient client = new UploadClient();
    client.connect("127.0.0.1", gw.port());
    client.login("alice", TestUsers.PASSWORD);
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);

    Socket data = client.beginStore("broken.bin");
    try (InputStream content = Content.random(1, 10 << 20)) {
      OutputStream out = data.getOutputStream();
      content.transferTo(out);
      out.flush();
    }
    UploadClient.cut(data);

    assertThat(client.completePendingCommand()).isFalse();
    assertThat(client.getReplyString())
        .startsWith("426 Transfer aborted: data connection broke; nothing was stored");
    assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("broken.bin"));
    assertThat(gw.pendingUploads()).isEmpty();
    assertThat(client.listNames()).doesNotContain("broken.bin");
    client.disconnect();

    FTPClient next = gw.login("alice");
    try {
      byte[] content = Content.bytes(2, 12 << 20);
      assertThat(next.storeFile("after.bin", new ByteArrayInputStream(content))).isTrue();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      assertThat(next.retrieveFile("after.bin", back)).isTrue();
      assertThat(back.toByteArray()).isEqualTo(content);
    } finally {
      next.disconnect();
    }
    assertThat(gw.pendingUploads()).isEmpty();
  }

  @Test
  void aClientThatVanishesMidUploadLeavesNothingEvenIfItsDataConnectionEndsCleanly()
      throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxConnectionsPerIp = 2;
    try (GatewayUnderTest own = GatewayUnderTest.start(settings.build())) {
      UploadClient client = new UploadClient();
      client.connect("127.0.0.1", own.port());
      client.login("alice", TestUsers.PASSWORD);
      client.enterLocalPassiveMode();
      client.setFileType(FTP.BINARY_FILE_TYPE);
      Socket data = client.beginStore("vanished.bin");
      try (InputStream content = Content.random(6, 3 << 20)) {
        content.transferTo(data.getOutputStream());
      }
      assertThat(own.gateway.runningTransfers()).isEqualTo(1);

      // The control connection dies first; the server has noticed once its slot is free again.
      client.disconnect();
      try (RawControl other = new RawControl(own.port())) {
        assertThat(other.reply()).startsWith("220");
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(30))
            .until(
                () -> {
                  try (RawControl probe = new RawControl(own.port())) {
                    return probe.reply().startsWith("220");
                  }
                });
      }
      // Then the data connection ends with an ordinary FIN, which alone would look complete.
      data.close();

      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(() -> own.gateway.runningTransfers() == 0);
      assertThat(own.objectKeys()).noneMatch(k -> k.endsWith("vanished.bin"));
      assertThat(own.pendingUploads()).isEmpty();
    }
  }
}
