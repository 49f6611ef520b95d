package dev.dropzone.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A client killed mid-session, as its peer sees it: the connection ends with a reset, no QUIT. */
public final class ResettingClient {

  private ResettingClient() {}

  /** Reads the greeting, sends {@code commands} (each must succeed), then resets the connection. */
  public static void resetAfter(int port, String... commands) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      BufferedReader replies =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(replies.readLine()).startsWith("220");
      for (String command : commands) {
        socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(replies.readLine()).as(command).matches("[23]\\d\\d .*");
      }
      // Linger 0: close sends RST instead of FIN.
      socket.setSoLinger(true, 0);
    }
  }
}
