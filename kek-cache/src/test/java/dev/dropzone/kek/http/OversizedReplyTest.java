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
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A key service (or whatever answers in its place) that sends a huge reply: the client keeps at
 * most {@link JsonEndpoint#MAX_REPLY_BYTES} of it, fails the call without asking again, and closes
 * the connection instead of reading the rest into the heap.
 */
class OversizedReplyTest {

  private static final long ANNOUNCED = 256L << 20;
  private static final HttpSettings SETTINGS =
      HttpSettings.defaults()
          .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
          .withRetries(3, Duration.ofMillis(10), Duration.ofMillis(10));

  private final AtomicInteger connections = new AtomicInteger();
  private final CompletableFuture<Long> sentBeforeClose = new CompletableFuture<>();

  @Test
  void aReplyLongerThanTheLimitFailsAtOnceAndItsConnectionIsClosed() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        JsonEndpoint endpoint = endpoint(server)) {
      serve(server, ANNOUNCED);
      assertThatThrownBy(() -> call(endpoint))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KeyServiceException.class)
          .hasMessageContaining("no usable answer after 1 attempt")
          .hasMessageContaining("the reply is longer than " + JsonEndpoint.MAX_REPLY_BYTES);
      assertThat(connections).hasValue(1);
      assertThat(sentBeforeClose.get(10, TimeUnit.SECONDS))
          .as("bytes the service wrote before the client closed the connection")
          .isPositive()
          .isLessThan(ANNOUNCED / 4);
    }
  }

  @Test
  void aReplyOfExactlyTheLimitIsRead() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        JsonEndpoint endpoint = endpoint(server)) {
      serve(server, JsonEndpoint.MAX_REPLY_BYTES);
      JsonReply reply = call(endpoint);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body().path("data").asText()).hasSize(JsonEndpoint.MAX_REPLY_BYTES - 11);
    }
  }

  private static JsonEndpoint endpoint(ServerSocket server) {
    return JsonEndpoint.open(URI.create("http://127.0.0.1:" + server.getLocalPort()), SETTINGS);
  }

  private static JsonReply call(JsonEndpoint endpoint) throws Exception {
    return endpoint
        .post("/decrypt", Map.of(), JsonNodeFactory.instance.objectNode(), "huge service: decrypt")
        .get(30, TimeUnit.SECONDS);
  }

  /**
   * Answers each connection with a JSON object {"data":"aaa…"} of {@code length} bytes in all,
   * written as fast as the client takes it, and notes how far it got if the client hangs up.
   */
  private void serve(ServerSocket server, long length) {
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket socket = server.accept();
                  connections.incrementAndGet();
                  Thread writer = new Thread(() -> answer(socket, length), "huge-reply");
                  writer.setDaemon(true);
                  writer.start();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "huge-key-service");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void answer(Socket socket, long length) {
    long sent = 0;
    try (socket) {
      InputStream in = socket.getInputStream();
      in.read(new byte[8192]);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                  + length
                  + "\r\n\r\n{\"data\":\"")
              .getBytes(StandardCharsets.US_ASCII));
      sent = 9;
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'a');
      long filler = length - 9 - 2;
      while (filler > 0) {
        int n = (int) Math.min(chunk.length, filler);
        out.write(chunk, 0, n);
        sent += n;
        filler -= n;
      }
      out.write("\"}".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      in.read(new byte[8192]);
    } catch (IOException e) {
      sentBeforeClose.complete(sent);
    }
  }
}
