package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * The idle timeout: a silent session is closed, a transfer that lasts longer than the timeout is
 * not cut off as idle.
 */
class SlowTransferTest {

  @Test
  void aSilentSessionIsClosedAfterTheIdleTimeoutWithA421() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.idleTimeout = Duration.ofSeconds(1);
    settings.maxConnections = 1;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl silent = new RawControl(gw.port())) {
      assertThat(silent.reply()).startsWith("220");
      assertThat(silent.login("alice")).startsWith("230");
      // A client that logged in and went quiet: its place is given back, not held forever.
      silent.socket().setSoTimeout(10_000);
      long start = System.nanoTime();
      assertThat(silent.reply())
          .isEqualTo("421 Idle timeout: no command for 1 seconds, closing connection");
      assertThat(silent.reply()).as("then the connection is closed").isNull();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("after the idle timeout, not before")
          .isGreaterThanOrEqualTo(Duration.ofMillis(900));
      // The client can see the close a moment before the server has counted the place free.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                try (RawControl next = new RawControl(gw.port())) {
                  assertThat(next.reply()).startsWith("220");
                  assertThat(next.login("alice"))
                      .as("the only place was given back")
                      .startsWith("230");
                }
              });
    }
  }

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
