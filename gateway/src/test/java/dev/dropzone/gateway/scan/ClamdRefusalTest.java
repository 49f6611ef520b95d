package dev.dropzone.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.scan.Scanner.Scan;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * clamd refuses a stream over its StreamMaxLength by answering at once and closing the connection,
 * with the rest of the stream unread, so the client's next write breaks. A real clamd does this at
 * whatever moment the limit is crossed (ClamdScannerTest); here a peer speaking clamd's session
 * wire format does it at a chosen moment, so that both places a write can break are exercised every
 * time.
 */
class ClamdRefusalTest {

  private static final String REFUSAL = "1: INSTREAM size limit exceeded. ERROR\0";

  private ServerSocket server;
  private ClamdScanner scanner;

  @BeforeEach
  void listen() throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    scanner =
        new ClamdScanner(
            ClamdAddress.parse("tcp://127.0.0.1:" + server.getLocalPort()),
            1,
            Duration.ofSeconds(5),
            Duration.ofSeconds(10));
  }

  @AfterEach
  void close() throws IOException {
    scanner.close();
    server.close();
  }

  /**
   * Reads the session's commands and {@code chunks} stream chunks, then answers with the refusal
   * and closes while more is waiting unread (the kernel then resets the connection).
   */
  private CompletableFuture<Void> refuseAfter(int chunks) {
    return CompletableFuture.runAsync(
        () -> {
          try (Socket client = server.accept()) {
            DataInputStream in = new DataInputStream(client.getInputStream());
            expect(in, "zIDSESSION");
            expect(in, "zINSTREAM");
            for (int i = 0; i < chunks; i++) {
              in.readFully(new byte[in.readInt()]);
            }
            // Blocks until the next chunk arrives; the rest of it stays unread.
            in.read();
            OutputStream out = client.getOutputStream();
            out.write(REFUSAL.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Closing with data unread resets the connection; no linger makes sure of it.
            client.setSoLinger(true, 0);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static void expect(DataInputStream in, String command) throws IOException {
    byte[] read = new byte[command.length() + 1];
    in.readFully(read);
    assertThat(new String(read, StandardCharsets.US_ASCII)).isEqualTo(command + "\0");
  }

  @Test
  void aRefusalWhileTheStreamIsStillBeingSentNamesTheSetting() throws Exception {
    CompletableFuture<Void> clamd = refuseAfter(1);
    Scan scan = scanner.begin();
    byte[] block = new byte[1 << 20];
    assertThatThrownBy(
            () -> {
              // Far more than the socket buffers hold: some write meets the reset.
              for (int i = 0; i < 64; i++) {
                scan.write(block, 0, block.length);
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessageContaining("stopped taking data")
        .hasMessageContaining("'INSTREAM size limit exceeded. ERROR'")
        .hasMessageContaining("raise StreamMaxLength in clamd.conf or lower scan.maxSize");
    clamd.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRefusalThatArrivesBeforeTheEndOfTheStreamIsTheVerdictsError() throws Exception {
    CompletableFuture<Void> clamd = refuseAfter(2);
    Scan scan = scanner.begin();
    byte[] block = new byte[64 << 10];
    scan.write(block, 0, block.length);
    scan.write(block, 0, block.length);
    scan.write(block, 0, block.length);
    // The peer has answered and reset the connection (on loopback the reset is delivered before
    // its close returns): ending the stream cannot be written.
    clamd.get(10, TimeUnit.SECONDS);
    assertThatThrownBy(scan::finish)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("could not scan the upload")
        .hasMessageContaining("'INSTREAM size limit exceeded. ERROR'")
        .hasMessageContaining("raise StreamMaxLength in clamd.conf or lower scan.maxSize");
  }
}
