package dev.dropzone.kek.http;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A key service (or a proxy in front of it) that answers one byte every little while never lets the
 * client's idle timeouts fire; each attempt still ends within connect + request timeout, so the
 * call fails as unavailable instead of holding its slot for ever, and the connection it gave up on
 * is closed instead of staying taken in the pool.
 */
class TricklingReplyTest {

  /** Counts the trickling connections the client closed. */
  private final Semaphore closedByClient = new Semaphore(0);

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
            // The second attempt has a connection of its own to time out on: the first one's
            // was closed, not left taken in the one-connection pool.
            .hasMessageContaining("attempts 1-2: timed out: no whole answer within 1200 ms");
        // Each abandoned attempt's connection ends at the reply's next byte (one every 200 ms).
        assertThat(closedByClient.tryAcquire(2, 5, TimeUnit.SECONDS))
            .as("both trickling connections closed by the client")
            .isTrue();
        // With one slot, the second call runs only if the first gave its slot back.
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
  private void trickle(ServerSocket server) {
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
                  } catch (IOException e) {
                    closedByClient.release();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
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
