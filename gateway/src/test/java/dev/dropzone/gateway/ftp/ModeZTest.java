package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Compressed transfers (MODE Z): ordinary files round-trip, compression bombs are refused. */
class ModeZTest {

  private static final int MIB = 1 << 20;

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
  void aStreamThatInflatesAThousandfoldIsRefusedAtTheCapWithNothingStored() throws Exception {
    long compressed;
    String reply;
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      control.send("TYPE I");
      assertThat(control.send("MODE Z")).startsWith("200");
      Socket data = control.passive();
      assertThat(control.send("STOR bomb.bin")).startsWith("150");
      // A GiB of zeros deflates to about 1 MiB: a thousandfold.
      Counting wire = new Counting(data.getOutputStream());
      try (DeflaterOutputStream bomb =
          new DeflaterOutputStream(wire, new Deflater(Deflater.BEST_COMPRESSION), 64 << 10)) {
        byte[] zeros = new byte[MIB];
        for (int i = 0; i < 1024; i++) {
          bomb.write(zeros);
        }
      } catch (IOException refused) {
        // The server stopped reading and closed the connection; its reply says why.
      }
      compressed = wire.count;
      reply = control.reply();
      data.close();
    }
    assertThat(reply).startsWith("552 Compressed upload refused");
    assertThat(compressed).as("refused long before the whole bomb was sent").isLessThan(MIB);
    assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("/bomb.bin"));
    assertThat(gw.pendingUploads()).isEmpty();
  }

  @Test
  void dataThatIsNoZlibStreamOrGoesOnAfterItsEndIsRefusedAsSuchWithNothingStored()
      throws Exception {
    ByteArrayOutputStream valid = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(valid)) {
      out.write("a line\n".getBytes(StandardCharsets.US_ASCII));
    }
    byte[] trailing =
        (valid.toString(StandardCharsets.ISO_8859_1) + "junk")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] plain = "sent uncompressed by mistake".getBytes(StandardCharsets.US_ASCII);
    for (byte[] sent : new byte[][] {plain, trailing}) {
      try (RawControl control = new RawControl(gw.port())) {
        control.reply();
        control.login("alice");
        control.send("TYPE I");
        assertThat(control.send("MODE Z")).startsWith("200");
        try (Socket data = control.passive()) {
          assertThat(control.send("STOR mistaken.bin")).startsWith("150");
          data.getOutputStream().write(sent);
          data.shutdownOutput();
          // A client resending the same bytes would fail the same way: a 5xx, not a 426.
          assertThat(control.reply())
              .startsWith("551 Compressed upload refused: ")
              .contains("nothing was stored");
        }
        assertThat(control.send("NOOP")).startsWith("200");
      }
    }
    assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("/mistaken.bin"));
    assertThat(gw.pendingUploads()).isEmpty();
  }

  @Test
  void compressedUploadsAndDownloadsOfOrdinaryFilesRoundTrip() throws Exception {
    StringBuilder csv = new StringBuilder();
    for (int i = 0; csv.length() < 4 * MIB; i++) {
      csv.append(i).append(",order,").append(i * 7919 % 100_003).append(",EUR\n");
    }
    byte[] content = csv.toString().getBytes(StandardCharsets.US_ASCII);

    FTPClient client = gw.login("alice");
    try {
      assertThat(client.setFileTransferMode(FTP.DEFLATE_TRANSFER_MODE)).isTrue();
      assertThat(client.storeFile("orders.csv", new ByteArrayInputStream(content)))
          .as(client.getReplyString())
          .isTrue();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      assertThat(client.retrieveFile("orders.csv", back)).as(client.getReplyString()).isTrue();
      assertThat(back.toByteArray()).isEqualTo(content);

      assertThat(client.setFileTransferMode(FTP.STREAM_TRANSFER_MODE)).isTrue();
      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      assertThat(client.retrieveFile("orders.csv", plain)).isTrue();
      assertThat(plain.toByteArray()).isEqualTo(content);
    } finally {
      client.disconnect();
    }
  }

  /** Counts the bytes that went to the wire. */
  private static final class Counting extends OutputStream {
    private final OutputStream out;
    private long count;

    Counting(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
