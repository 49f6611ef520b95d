package dev.dropzone.bench.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Clients that open sessions and abandon them, over raw sockets, until the end time: sessions that
 * ask for passive ports and then quit or drop, connections that never log in, and uploads whose
 * client is killed part way (both connections reset). Killed uploads go to {@code /killed/}, where
 * nothing may ever be stored.
 */
final class Misbehaviour {

  static final String KILLED_DIR = "killed";

  private static final Pattern PASV =
      Pattern.compile("\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)");

  private final int port;
  private final String user;
  private final String password;
  private final long endNanos;
  private final Tally tally;
  private final AtomicInteger killed = new AtomicInteger();

  Misbehaviour(int port, String user, String password, long endNanos, Tally tally) {
    this.port = port;
    this.user = user;
    this.password = password;
    this.endNanos = endNanos;
    this.tally = tally;
  }

  /** The threads, one per kind of misbehaviour. */
  List<Thread> threads(int idleConnections, long seed) {
    SplittableRandom passive = new SplittableRandom(seed);
    SplittableRandom uploads = new SplittableRandom(seed + 1);
    List<Thread> threads = new ArrayList<>();
    threads.add(loop("soak-pasv-and-drop", () -> passiveAndDrop(passive)));
    threads.add(loop("soak-idle-unauthenticated", () -> idle(idleConnections)));
    threads.add(loop("soak-killed-uploads", () -> killedUpload(uploads)));
    threads.add(loop("soak-connect-and-reset", this::connectAndReset));
    return threads;
  }

  private interface Round {
    void run() throws IOException, InterruptedException;
  }

  private Thread loop(String name, Round round) {
    Thread thread =
        new Thread(
            () -> {
              while (System.nanoTime() < endNanos) {
                try {
                  round.run();
                } catch (IOException e) {
                  // The gateway may close a misbehaving session first; that is its right.
                  tally.count(name.substring(5), "closed by the gateway or failed: io");
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            name);
    thread.setDaemon(true);
    return thread;
  }

  /** Logs in, sends PASV (or EPSV) one to three times, then quits or just drops. */
  private void passiveAndDrop(SplittableRandom random) throws IOException, InterruptedException {
    try (Control control = Control.open(port)) {
      if (!control.login(user, password)) {
        tally.count("pasv-and-drop", "login " + control.last);
        Thread.sleep(500);
        return;
      }
      int times = 1 + random.nextInt(3);
      for (int i = 0; i < times; i++) {
        control.command(random.nextBoolean() ? "PASV" : "EPSV");
      }
      if (random.nextBoolean()) {
        control.command("QUIT");
        tally.count("pasv-and-drop", "quit");
      } else {
        control.reset();
        tally.count("pasv-and-drop", "dropped");
      }
    }
    Thread.sleep(100);
  }

  /**
   * Connects, reads the greeting and resets the connection, a hundred times a second: what a port
   * scanner or a client killed in a restart loop does. The gateway must neither log an error nor
   * keep anything of these sessions.
   */
  private void connectAndReset() throws IOException, InterruptedException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(10_000);
      int first = socket.getInputStream().read();
      tally.count("connect and reset", first == '2' ? "greeted" : "refused");
      socket.setSoLinger(true, 0);
    }
    Thread.sleep(10);
  }

  /** Opens connections that never log in and holds them until the gateway closes them (or 60 s). */
  private void idle(int count) throws IOException, InterruptedException {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        sockets.add(socket);
      }
      long until = Math.min(endNanos, System.nanoTime() + 60_000_000_000L);
      for (Socket socket : sockets) {
        socket.setSoTimeout((int) Math.max(1, (until - System.nanoTime()) / 1_000_000 + 1));
        try {
          // Greeting (or refusal), then whatever the gateway says before it closes.
          while (socket.getInputStream().read() >= 0) {
            // reading until the end
          }
          tally.count("idle unauthenticated", "closed by the gateway");
        } catch (java.net.SocketTimeoutException e) {
          tally.count(
              "idle unauthenticated",
              "still open when the client closed it (after 60 s or at the end)");
        }
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  /** Starts an upload into {@code /killed/}, sends part of it and resets both connections. */
  private void killedUpload(SplittableRandom random) throws IOException, InterruptedException {
    try (Control control = Control.open(port)) {
      if (!control.login(user, password)) {
        tally.count("killed upload", "login " + control.last);
        Thread.sleep(500);
        return;
      }
      control.command("MKD /" + KILLED_DIR);
      control.command("TYPE I");
      String pasv = control.command("PASV");
      Matcher m = PASV.matcher(pasv);
      if (!pasv.startsWith("227") || !m.find()) {
        tally.count("killed upload", "PASV " + pasv.substring(0, 3));
        return;
      }
      int dataPort = Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
      try (Socket data = new Socket()) {
        data.connect(new InetSocketAddress("127.0.0.1", dataPort), 10_000);
        control.send("STOR /" + KILLED_DIR + "/k" + killed.incrementAndGet() + ".bin");
        String reply = control.reply();
        if (!reply.startsWith("150")) {
          tally.count("killed upload", "STOR " + reply.substring(0, 3));
          return;
        }
        byte[] block = new byte[64 * 1024];
        random.nextBytes(block);
        int blocks = 1 + random.nextInt(160); // up to 10 MiB: within the first part or past it
        OutputStream out = data.getOutputStream();
        for (int i = 0; i < blocks; i++) {
          out.write(block);
        }
        out.flush();
        // Killed: no ABOR, no orderly close, both connections reset.
        data.setSoLinger(true, 0);
        control.reset();
        tally.count(
            "killed upload",
            blocks * 64 < 8 * 1024 ? "killed within the first part" : "killed past the first part");
      }
    }
    Thread.sleep(200);
  }

  /** A raw control connection. */
  private static final class Control implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final Writer out;
    String last = "";

    private Control(Socket socket) throws IOException {
      this.socket = socket;
      this.in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      this.out = new java.io.OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
    }

    static Control open(int port) throws IOException {
      Socket socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout((int) Worker.PATIENCE.toMillis());
      Control control = new Control(socket);
      control.reply();
      return control;
    }

    boolean login(String user, String password) throws IOException {
      command("USER " + user);
      return command("PASS " + password).startsWith("230");
    }

    String command(String line) throws IOException {
      send(line);
      return reply();
    }

    void send(String line) throws IOException {
      out.write(line + "\r\n");
      out.flush();
    }

    /** One reply; of a multi-line reply its last line. */
    String reply() throws IOException {
      String line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed");
      }
      if (line.length() > 3 && line.charAt(3) == '-') {
        String end = line.substring(0, 3) + " ";
        while (line != null && !line.startsWith(end)) {
          line = in.readLine();
        }
        if (line == null) {
          throw new IOException("connection closed");
        }
      }
      last = line;
      return line;
    }

    void reset() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
