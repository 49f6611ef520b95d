package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.net.ftp.FTP;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: running transfers may finish within the grace, the rest are aborted. */
class ShutdownTest {

  @Test
  void aTransferThatOutlivesTheGraceIsAbortedAndLeavesNothing() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.shutdownGrace = Duration.ofMillis(200);
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build())) {
      UploadClient client = connect(gw);
      Socket data = client.beginStore("unfinished.bin");
      OutputStream out = data.getOutputStream();
      try (InputStream content = Content.random(3, 9 << 20)) {
        content.transferTo(out);
      }
      out.flush();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> gw.gateway.runningTransfers() == 1);

      gw.gateway.close();

      assertThat(gw.gateway.runningTransfers()).isZero();
      assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("unfinished.bin"));
      assertThat(gw.pendingUploads()).isEmpty();
      data.close();
    }
  }

  @Test
  void aTransferThatEndsWithinTheGraceIsStored() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.shutdownGrace = Duration.ofSeconds(60);
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build())) {
      UploadClient client = connect(gw);
      Socket data = client.beginStore("finished.bin");
      OutputStream out = data.getOutputStream();
      try (InputStream content = Content.random(4, 1 << 20)) {
        content.transferTo(out);
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> gw.gateway.runningTransfers() == 1);

      CompletableFuture<Void> closing = CompletableFuture.runAsync(gw.gateway::close);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                try (RawControl late = new RawControl(gw.port())) {
                  return "421 Server is shutting down, try again later".equals(late.reply());
                }
              });
      try (InputStream content = Content.random(5, 1 << 20)) {
        content.transferTo(out);
      }
      data.close();
      assertThat(client.completePendingCommand()).as(client.getReplyString()).isTrue();
      closing.get();

      assertThat(gw.objectKeys()).contains(GatewayUnderTest.key("alice", "finished.bin"));
      assertThat(gw.pendingUploads()).isEmpty();
    }
  }

  private static UploadClient connect(GatewayUnderTest gw) throws Exception {
    UploadClient client = new UploadClient();
    client.connect("127.0.0.1", gw.port());
    client.login("alice", TestUsers.PASSWORD);
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }
}
