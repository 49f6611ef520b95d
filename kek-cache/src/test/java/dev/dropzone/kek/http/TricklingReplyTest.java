package dev.dropzone.kek.http;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dropzone.kek.KeyServiceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A key service (or a proxy in front of it) that answers one byte every little while never lets the
 * client's idle timeouts fire; each attempt still ends within connect + request timeout, so the
 * call fails as unavailable instead of holding its slot for ever.
 */
class TricklingReplyTest {

  @Test
  void aReplyThatTricklesInFailsTheAttemptAtTheDeadlineAndFreesItsSlot() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread trickler = new Thread(() -> trickle(server), "trickling-key-service");
      trickler.setDaemon(true);
      trickler.start();
      HttpSettings settings =
          HttpSettings.defaults()
              .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(700))
              .withRetries(2, Duration.ofMillis(10), Duration.ofMillis(10))
              .withMaxInFlight(1);
      try (JsonEndpoint endpoint =
          JsonEndpoint.open(URI.create("http://127.0.0.1:" + server.getLocalPort()), settings)) {
        assertThatThrownBy(() -> call(endpoint))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(KeyServiceException.class)
            .hasMessageContaining("no usable answer after 2 attempts")
            .hasMessageContaining("attempt 1: timed out: no whole answer within 1200 ms");
        // With one slot, the second call runs only if the first gave its slot back. The
        // trickling connection itself stays with the server until it stops, so this one may
        // also time out waiting for a connection: either way it ends, as unavailable.
        assertThatThrownBy(() -> call(endpoint))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(KeyServiceException.class)
            .hasMessageContaining("no usable answer after 2 attempts");
      }
    }
  }

  private static JsonReply call(JsonEndpoint endpoint) throws Exception {
    return endpoint
        .post(
            "/decrypt",
            Map.of(),
            JsonNodeFactory.instance.objectNode(),
            "trickling service: decrypt")
        .get(20, TimeUnit.SECONDS);
  }

  /** Accepts connections and answers each with headers, then one body byte every 200 ms. */
  private static void trickle(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread writer =
            new Thread(
                () -> {
                  try (socket) {
                    InputStream in = socket.getInputStream();
                    in.read(new byte[8192]);
                    OutputStream out = socket.getOutputStream();
                    out.write(
                        ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 100000\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
                    while (true) {
                      out.flush();
                      Thread.sleep(200);
                      out.write(' ');
                    }
                  } catch (IOException | InterruptedException e) {
                    // The client gave up and closed the connection.
                  }
                });
        writer.setDaemon(true);
        writer.start();
      } catch (IOException e) {
        return;
      }
    }
  }
}
