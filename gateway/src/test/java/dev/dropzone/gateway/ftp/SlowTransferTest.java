package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/** A transfer that lasts longer than the idle timeout is not cut off as idle. */
class SlowTransferTest {

  @Test
  void theControlConnectionIsNotIdleWhileItsDataConnectionIsBusy() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.idleTimeout = Duration.ofSeconds(2);
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build())) {
      UploadClient client = new UploadClient();
      client.connect("127.0.0.1", gw.port());
      client.login("alice", TestUsers.PASSWORD);
      client.enterLocalPassiveMode();
      client.setFileType(FTP.BINARY_FILE_TYPE);

      Socket data = client.beginStore("slow.bin");
      OutputStream out = data.getOutputStream();
      byte[] chunk = Content.bytes(9, 1024);
      // Paced like a slow link: the data connection is never silent for long, the control
      // connection is silent for more than twice the idle timeout.
      for (int i = 0; i < 20; i++) {
        out.write(chunk);
        out.flush();
        Thread.sleep(250);
      }
      data.close();
      assertThat(client.completePendingCommand()).as(client.getReplyString()).isTrue();
      client.disconnect();

      FTPClient check = gw.login("alice");
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      assertThat(check.retrieveFile("slow.bin", back)).isTrue();
      assertThat(back.size()).isEqualTo(20 * 1024);
      check.disconnect();
    }
  }
}
