package dev.dropzone.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.metrics.GatewayMeters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client that opens connection after connection to the admin endpoint and sends nothing gets at
 * most {@link AdminServer#MAX_CONNECTIONS} of them; the ones beyond are closed at once, and the
 * endpoint answers again as soon as some are let go.
 */
class AdminConnectionCapTest {

  @Test
  void connectionsBeyondTheCapAreClosedAndTheEndpointRecoversWhenSomeGo() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    AdminSettings settings =
        new AdminSettings("127.0.0.1", port, null, Duration.ofSeconds(1), Duration.ofSeconds(1));
    List<Socket> held = new ArrayList<>();
    try (Readiness readiness = new Readiness(Duration.ofSeconds(1), Duration.ofSeconds(1));
        AdminServer server =
            AdminServer.start(
                settings, new GatewayMeters(), readiness, () -> true, Duration.ofMinutes(5))) {
      for (int i = 0; i < AdminServer.MAX_CONNECTIONS; i++) {
        Socket socket = new Socket("127.0.0.1", port);
        held.add(socket);
      }
      // Each held connection is still open: a read waits instead of seeing the end.
      for (Socket socket : held) {
        assertThat(openAfter(socket, 20)).as("held connection still open").isTrue();
      }

      for (int i = 0; i < 5; i++) {
        try (Socket extra = new Socket("127.0.0.1", port)) {
          assertThat(openAfter(extra, 5_000)).as("connection beyond the cap closed").isFalse();
        }
      }

      for (Socket socket : held.subList(0, 4)) {
        socket.close();
      }
      String reply = "";
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!reply.startsWith("HTTP/1.1 200") && System.nanoTime() < deadline) {
        reply = health(port);
      }
      assertThat(reply).as("answered once connections were let go").startsWith("HTTP/1.1 200");
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  /** True if the server has not closed {@code socket} within {@code millis}. */
  private static boolean openAfter(Socket socket, int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      return socket.getInputStream().read() != -1;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String health(int port) throws IOException {
    try (Socket client = new Socket("127.0.0.1", port)) {
      client.setSoTimeout(5_000);
      client
          .getOutputStream()
          .write(
              "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
