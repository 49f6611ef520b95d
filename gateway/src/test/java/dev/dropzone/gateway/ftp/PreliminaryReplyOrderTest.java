package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * The 150 reply reaches the client before the data does: some clients read the data connection only
 * after that reply and fail when the data, or its end, comes first. On loopback the kernel has the
 * bytes of a write in the peer's socket before the call returns, so a client that sees the data
 * connection end must already have the 150 waiting; a server that closed the data connection before
 * MINA wrote the reply fails this within a few rounds (an empty listing ends at once).
 */
class PreliminaryReplyOrderTest {

  private static final int ROUNDS = 40;

  @Test
  void anEmptyListingAndASmallDownloadEndOnlyAfterThe150WasWritten() throws Exception {
    try (GatewayUnderTest gw = GatewayUnderTest.start()) {
      FTPClient alice = gw.login("alice");
      alice.setFileType(FTP.BINARY_FILE_TYPE);
      assertThat(alice.makeDirectory("empty")).isTrue();
      assertThat(alice.storeFile("small.bin", new ByteArrayInputStream(new byte[100]))).isTrue();
      alice.logout();

      try (RawControl raw = new RawControl(gw.port())) {
        raw.socket().setSoTimeout(30_000);
        raw.reply();
        assertThat(raw.login("alice")).startsWith("230");
        assertThat(raw.send("TYPE I")).startsWith("200");
        for (int i = 0; i < ROUNDS; i++) {
          assertThat(transfer(raw, "LIST empty")).isZero();
          assertThat(transfer(raw, "RETR small.bin")).isEqualTo(100);
        }
      }
    }
  }

  /** Runs {@code command}, reading its data to the end before looking at the control replies. */
  private static int transfer(RawControl raw, String command) throws IOException {
    int received = 0;
    try (Socket data = raw.passive()) {
      raw.sendOnly(command);
      data.setSoTimeout(30_000);
      InputStream in = data.getInputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        received += n;
      }
      assertThat(raw.socket().getInputStream().available())
          .as("the 150 of '%s' is in before its data connection ended", command)
          .isPositive();
    }
    assertThat(raw.reply()).startsWith("150");
    assertThat(raw.reply()).startsWith("226");
    return received;
  }
}
