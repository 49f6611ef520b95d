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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that opens connection after connection to the admin endpoint and sends nothing gets at
 * most {@link AdminServer#MAX_CONNECTIONS_PER_ADDRESS} of them, and all clients together at most
 * {@link AdminServer#MAX_CONNECTIONS}; the ones beyond are closed at once. Clients use addresses of
 * 127.0.0.0/8, which Linux routes to the loopback interface, as hosts of their own.
 */
class AdminConnectionCapTest {

  private final List<Socket> held = new ArrayList<>();
  private Readiness readiness;
  private AdminServer server;
  private int port;

  @BeforeEach
  void start() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    AdminSettings settings =
        new AdminSettings("127.0.0.1", port, null, Duration.ofSeconds(1), Duration.ofSeconds(1));
    readiness = new Readiness(Duration.ofSeconds(1), Duration.ofSeconds(1));
    server =
        AdminServer.start(
            settings, new GatewayMeters(), readiness, () -> true, Duration.ofMinutes(5));
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket socket : held) {
      socket.close();
    }
    server.close();
    readiness.close();
  }

  @Test
  void oneAddressHoldingConnectionsDoesNotShutOutAProbeFromAnother() throws Exception {
    InetAddress holder = address(1);
    for (int i = 0; i < AdminServer.MAX_CONNECTIONS_PER_ADDRESS; i++) {
      held.add(connect(holder));
    }
    for (Socket socket : held) {
      assertThat(openAfter(socket, 20)).as("held connection still open").isTrue();
    }
    try (Socket extra = connect(holder)) {
      assertThat(openAfter(extra, 5_000)).as("one more from the same address closed").isFalse();
    }
    assertThat(health(address(2))).as("a probe from elsewhere").startsWith("HTTP/1.1 200");
  }

  @Test
  void connectionsBeyondTheCapAreClosedAndTheEndpointRecoversWhenSomeGo() throws Exception {
    int perAddress = AdminServer.MAX_CONNECTIONS_PER_ADDRESS;
    for (int i = 0; i < AdminServer.MAX_CONNECTIONS; i++) {
      held.add(connect(address(10 + i / perAddress)));
    }
    for (Socket socket : held) {
      assertThat(openAfter(socket, 20)).as("held connection still open").isTrue();
    }
    for (int i = 0; i < 5; i++) {
      try (Socket extra = connect(address(100 + i))) {
        assertThat(openAfter(extra, 5_000)).as("connection beyond the cap closed").isFalse();
      }
    }

    for (Socket socket : held.subList(0, 4)) {
      socket.close();
    }
    String reply = "";
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!reply.startsWith("HTTP/1.1 200") && System.nanoTime() < deadline) {
      reply = health(address(200));
    }
    assertThat(reply).as("answered once connections were let go").startsWith("HTTP/1.1 200");
  }

  private static InetAddress address(int n) throws IOException {
    return InetAddress.getByAddress(new byte[] {127, 0, 2, (byte) n});
  }

  private Socket connect(InetAddress from) throws IOException {
    return new Socket(InetAddress.getLoopbackAddress(), port, from, 0);
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

  private String health(InetAddress from) throws IOException {
    try (Socket client = connect(from)) {
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
