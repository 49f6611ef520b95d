package dev.dropzone.kek.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A redirect from whatever answers at the key service's address is handed back as an answer, not
 * followed: following it would send the request, and the service token in its headers, wherever the
 * redirect points.
 */
class RedirectNotFollowedTest {

  @Test
  void aRedirectIsAnAnswerAndNothingReachesWhereItPoints() throws Exception {
    AtomicInteger elsewhere = new AtomicInteger();
    try (ServerSocket service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket thief = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      accept(thief, socket -> elsewhere.incrementAndGet());
      String location = "http://127.0.0.1:" + thief.getLocalPort() + "/v1/transit/decrypt/dz";
      accept(
          service,
          socket -> {
            socket.getInputStream().read(new byte[8192]);
            OutputStream out = socket.getOutputStream();
            out.write(
                ("HTTP/1.1 303 See Other\r\nLocation: "
                        + location
                        + "\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
          });
      try (JsonEndpoint endpoint =
          JsonEndpoint.open(
              URI.create("http://127.0.0.1:" + service.getLocalPort()), HttpSettings.defaults())) {
        JsonReply reply =
            endpoint
                .post(
                    "/v1/transit/decrypt/dz",
                    Map.of("X-Vault-Token", "s.secret"),
                    JsonNodeFactory.instance.objectNode(),
                    "redirecting service: decrypt")
                .get(30, TimeUnit.SECONDS);
        // Followed, the reply would be the other address's (here: none, a failed call).
        assertThat(reply.status()).isEqualTo(303);
      }
      assertThat(elsewhere).as("connections where the redirect pointed").hasValue(0);
    }
  }

  private interface Handler {
    void handle(Socket socket) throws IOException;
  }

  private static void accept(ServerSocket server, Handler handler) {
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                  handler.handle(socket);
                } catch (IOException e) {
                  return;
                }
              }
            },
            "redirect-test");
    acceptor.setDaemon(true);
    acceptor.start();
  }
}
