package dev.dropzone.gateway.scan;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Where clamd listens: {@code tcp://host:port} (clamd's {@code TCPSocket}/{@code TCPAddr}) or
 * {@code unix:/path} (its {@code LocalSocket}).
 *
 * @param host TCP host, or null for a Unix socket
 * @param port TCP port, or -1 for a Unix socket
 * @param socket Unix socket path, or null for TCP
 */
public record ClamdAddress(String host, int port, Path socket) {

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException saying what is expected
   */
  public static ClamdAddress parse(String text) {
    String value = text == null ? "" : text.strip();
    if (value.startsWith("unix:")) {
      String path = value.substring("unix:".length());
      if (path.startsWith("//")) {
        path = path.substring(2);
      }
      if (!path.startsWith("/")) {
        throw invalid(text);
      }
      return new ClamdAddress(null, -1, Path.of(path));
    }
    try {
      URI uri = new URI(value);
      if (!"tcp".equals(uri.getScheme())
          || uri.getHost() == null
          || uri.getPort() < 1
          || uri.getPort() > 65535
          || !(uri.getPath() == null || uri.getPath().isEmpty())) {
        throw invalid(text);
      }
      return new ClamdAddress(uri.getHost(), uri.getPort(), null);
    } catch (URISyntaxException e) {
      throw invalid(text);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "'"
            + text
            + "' is not a clamd address; use tcp://HOST:PORT (e.g. tcp://127.0.0.1:3310) or"
            + " unix:/PATH (e.g. unix:/run/clamav/clamd.ctl)");
  }

  /** An unconnected channel of the right protocol family. */
  SocketChannel newChannel() throws IOException {
    if (socket != null) {
      return SocketChannel.open(StandardProtocolFamily.UNIX);
    }
    SocketChannel channel = SocketChannel.open();
    // The stream's last chunk is 4 bytes; without this it waits for a delayed ACK (~40 ms).
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    return channel;
  }

  SocketAddress socketAddress() {
    return socket != null ? UnixDomainSocketAddress.of(socket) : new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return socket != null ? "unix:" + socket : "tcp://" + host + ":" + port;
  }
}
