package dev.dropzone.gateway.ftp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A control connection spoken by hand, for what real clients refuse to send (NUL, CR, over-long
 * lines) and to read refusals that Commons Net turns into exceptions (421).
 */
final class RawControl implements AutoCloseable {

  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;

  RawControl(int port) throws IOException {
    this(port, InetAddress.getLoopbackAddress());
  }

  /**
   * Connects from {@code from}, e.g. 127.0.0.2 (on Linux every 127.x.y.z is a local address), to
   * the loopback address of its family: ::1 from ::1.
   */
  RawControl(int port, InetAddress from) throws IOException {
    socket = new Socket(from instanceof Inet6Address ? "::1" : "127.0.0.1", port, from, 0);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    out = socket.getOutputStream();
  }

  /** The next complete reply (last line of a multi-line reply), or null when the server closed. */
  String reply() throws IOException {
    String line = in.readLine();
    if (line == null) {
      return null;
    }
    if (line.length() > 3 && line.charAt(3) == '-') {
      String code = line.substring(0, 3) + " ";
      while (line != null && !line.startsWith(code)) {
        line = in.readLine();
      }
    }
    return line;
  }

  /** Sends {@code line} followed by CRLF and returns the reply. */
  String send(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return reply();
  }

  /** Logs in; returns the reply to PASS. */
  String login(String user) throws IOException {
    return login(user, TestUsers.PASSWORD);
  }

  /** Sends USER and PASS; returns the reply to PASS. */
  String login(String user, String password) throws IOException {
    send("USER " + user);
    return send("PASS " + password);
  }

  /** Sends {@code line} without waiting for a reply. */
  void sendOnly(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Sends PASV and connects to the port it names. */
  Socket passive() throws IOException {
    String pasv = send("PASV");
    if (!pasv.startsWith("227")) {
      throw new IOException("PASV refused: " + pasv);
    }
    return new Socket("127.0.0.1", port(pasv));
  }

  /** The port a 227 reply names. */
  static int port(String pasv) {
    String[] numbers = pasv.substring(pasv.indexOf('(') + 1, pasv.indexOf(')')).split(",");
    return Integer.parseInt(numbers[4]) * 256 + Integer.parseInt(numbers[5]);
  }

  /** The control socket itself, to close or reset it as a dying client would. */
  Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
