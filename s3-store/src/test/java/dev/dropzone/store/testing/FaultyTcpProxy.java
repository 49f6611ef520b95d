package dev.dropzone.store.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A TCP proxy on 127.0.0.1 that injects network faults between a client and a server, such as the
 * gateway and its S3 server:
 *
 * <ul>
 *   <li>{@link #pause()}: bytes stop flowing both ways, connections stay open and new ones are
 *       accepted, as with a server that hangs or a network that drops everything;
 *   <li>{@link #resume()}: everything held back flows again;
 *   <li>{@link #cut()}: every open connection is reset;
 *   <li>{@link #failRequests}: HTTP requests whose request line matches are answered with an error
 *       status by the proxy itself and never reach the server (the connection is closed after).
 * </ul>
 *
 * <p>To see request lines, the client-to-server direction follows HTTP/1.1 framing (headers, then a
 * {@code Content-Length} body); a chunked request body switches that connection to plain
 * forwarding.
 */
public final class FaultyTcpProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private boolean paused;
  private volatile boolean closed;
  private volatile Predicate<String> failing;
  private volatile int failingStatus;

  private FaultyTcpProxy(ServerSocket listener, InetSocketAddress target) {
    this.listener = listener;
    this.target = target;
  }

  /** A proxy to {@code 127.0.0.1:targetPort}, listening on a free port of 127.0.0.1. */
  public static FaultyTcpProxy start(int targetPort) throws IOException {
    ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    FaultyTcpProxy proxy =
        new FaultyTcpProxy(
            listener, new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
    daemon("fault-proxy-accept", proxy::acceptLoop).start();
    return proxy;
  }

  /** A proxy in front of the server at {@code endpoint} (an http URL on 127.0.0.1). */
  public static FaultyTcpProxy inFrontOf(URI endpoint) throws IOException {
    return start(endpoint.getPort());
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** The http endpoint that reaches the target through this proxy. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public void pause() {
    synchronized (gate) {
      paused = true;
    }
  }

  public void resume() {
    synchronized (gate) {
      paused = false;
      gate.notifyAll();
    }
  }

  /**
   * From now on, answers every HTTP request whose request line (e.g. {@code GET
   * /bucket?uploads&prefix=a HTTP/1.1}) matches with {@code status} and an S3 error body.
   */
  public void failRequests(Predicate<String> requestLine, int status) {
    failingStatus = status;
    failing = requestLine;
  }

  /** Forwards every request again. */
  public void stopFailingRequests() {
    failing = null;
  }

  /** Resets every open connection; new connections are accepted as before. */
  public void cut() {
    for (Socket socket : sockets) {
      reset(socket);
    }
  }

  @Override
  public void close() {
    // Under the lock so that a connection accepted just before is either registered (and reset
    // below) or sees closed and is dropped: none may outlive close().
    synchronized (sockets) {
      closed = true;
    }
    resume();
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    cut();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      Socket server = new Socket();
      try {
        server.connect(target, 5_000);
      } catch (IOException e) {
        reset(client);
        continue;
      }
      synchronized (sockets) {
        if (closed) {
          reset(client);
          reset(server);
          return;
        }
        sockets.add(client);
        sockets.add(server);
      }
      daemon("fault-proxy-up", () -> forwardRequests(client, server)).start();
      daemon("fault-proxy-down", () -> pump(server, client)).start();
    }
  }

  private void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      copy(in, out, Long.MAX_VALUE);
    } catch (IOException | InterruptedException e) {
      // one side went away: take the other with it
    } finally {
      reset(from);
      reset(to);
    }
  }

  /** Client to server, one HTTP request at a time, so failing requests can be answered here. */
  private void forwardRequests(Socket client, Socket server) {
    try (InputStream in = new BufferedInputStream(client.getInputStream());
        OutputStream out = server.getOutputStream()) {
      byte[] head;
      while ((head = readHead(in)) != null) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String requestLine = text.substring(0, text.indexOf("\r\n"));
        Predicate<String> rule = failing;
        long length = header(text, "content-length").map(Long::parseLong).orElse(0L);
        boolean chunked = header(text, "transfer-encoding").isPresent();
        if (rule != null && rule.test(requestLine)) {
          refuse(client, failingStatus);
          return;
        }
        awaitOpen();
        out.write(head);
        out.flush();
        if (chunked) {
          copy(in, out, Long.MAX_VALUE);
          return;
        }
        copy(in, out, length);
      }
    } catch (IOException | InterruptedException e) {
      // one side went away: take the other with it
    } finally {
      reset(client);
      reset(server);
    }
  }

  /** Copies {@code count} bytes (or up to the end), holding them back while paused. */
  private void copy(InputStream in, OutputStream out, long count)
      throws IOException, InterruptedException {
    byte[] buffer = new byte[64 << 10];
    long left = count;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        if (count == Long.MAX_VALUE) {
          return;
        }
        throw new IOException("body ended early");
      }
      awaitOpen();
      out.write(buffer, 0, n);
      out.flush();
      left -= n;
    }
  }

  /** The request line and headers up to the blank line; null at the end of the stream. */
  private static byte[] readHead(InputStream in) throws IOException {
    java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream(512);
    int matched = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toByteArray();
      }
    }
    return null;
  }

  private static Optional<String> header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return Optional.of(line.substring(colon + 1).trim());
      }
    }
    return Optional.empty();
  }

  private static void refuse(Socket client, int status) throws IOException {
    String body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
            + (status == 403 ? "AccessDenied" : "InternalError")
            + "</Code><Message>injected by the test proxy</Message></Error>";
    String response =
        "HTTP/1.1 "
            + status
            + " Injected\r\nContent-Type: application/xml\r\nContent-Length: "
            + body.length()
            + "\r\nConnection: close\r\n\r\n"
            + body;
    OutputStream out = client.getOutputStream();
    out.write(response.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private void awaitOpen() throws InterruptedException {
    synchronized (gate) {
      while (paused && !closed) {
        gate.wait();
      }
    }
  }

  private void reset(Socket socket) {
    sockets.remove(socket);
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // already closed
    }
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static Thread daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
