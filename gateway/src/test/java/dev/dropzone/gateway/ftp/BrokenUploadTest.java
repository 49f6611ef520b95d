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
}
