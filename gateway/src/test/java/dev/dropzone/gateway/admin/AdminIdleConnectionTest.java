package dev.dropzone.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.metrics.GatewayMeters;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A connection to the admin endpoint that sends nothing, or stops half way through a request, is
 * closed after the idle timeout instead of being held open for ever.
 */
class AdminIdleConnectionTest {

  @Test
  void silentAndStalledConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    AdminSettings settings =
        new AdminSettings("127.0.0.1", port, null, Duration.ofSeconds(1), Duration.ofSeconds(1));
    try (Readiness readiness = new Readiness(Duration.ofSeconds(1), Duration.ofSeconds(1));
        AdminServer server =
            AdminServer.start(
                settings, new GatewayMeters(), readiness, () -> true, Duration.ofSeconds(1));
        Socket silent = new Socket("127.0.0.1", port);
        Socket stalled = new Socket("127.0.0.1", port)) {
      OutputStream out = stalled.getOutputStream();
      out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      for (Socket socket : new Socket[] {silent, stalled}) {
        // Far beyond the 1 s idle timeout: a read that times out here fails the test.
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        assertThat(in.read()).as("closed by the server, not timed out here").isEqualTo(-1);
      }

      // A request that comes whole is still answered.
      try (Socket client = new Socket("127.0.0.1", port)) {
        client
            .getOutputStream()
            .write(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        String reply = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(reply).startsWith("HTTP/1.1 200");
      }
    }
  }
}
