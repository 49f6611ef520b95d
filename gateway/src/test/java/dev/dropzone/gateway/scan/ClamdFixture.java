package dev.dropzone.gateway.scan;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * A real clamd (Debian's {@code clamav-daemon}) for tests: its own configuration, log and temporary
 * directory under a test directory, listening on 127.0.0.1 at a free port and on a Unix socket,
 * with a database of two signatures the fixture writes — a body signature ({@code .ndb}) and a YARA
 * rule ({@code .yar}). No freshclam, no downloaded databases. Starting takes well under a second
 * with this database.
 */
public final class ClamdFixture implements AutoCloseable {

  /** Bytes the body signature matches. */
  public static final byte[] BODY_MARKER = ascii("DROPZONE-TEST-BODY-SIGNATURE-7f3a9c");

  /** Bytes the YARA rule matches. */
  public static final byte[] YARA_MARKER = ascii("DROPZONE-YARA-MARKER-51c9e2d4");

  /** How clamd names a body-signature match. */
  public static final String BODY_SIGNATURE = "Dropzone.Test.Body.UNOFFICIAL";

  /** How clamd names a match of the YARA rule. */
  public static final String YARA_SIGNATURE = "YARA.DropzoneTestRule.UNOFFICIAL";

  private static final Path CLAMD = Path.of("/usr/sbin/clamd");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final long streamMaxLength;
  private int port;
  private Process process;

  private ClamdFixture(Path dir, long streamMaxLength) {
    this.dir = dir;
    this.streamMaxLength = streamMaxLength;
  }

  /**
   * Starts clamd with its files under {@code dir}.
   *
   * @param streamMaxLength clamd's StreamMaxLength in bytes
   */
  public static ClamdFixture start(Path dir, long streamMaxLength) throws Exception {
    return start(dir, streamMaxLength, new Path[0]);
  }

  /** Starts clamd with {@code extraRules} (signature or YARA files) in its database as well. */
  public static ClamdFixture start(Path dir, long streamMaxLength, Path... extraRules)
      throws Exception {
    if (!Files.isExecutable(CLAMD)) {
      throw new IllegalStateException(
          CLAMD
              + " is missing: install Debian's clamav-daemon (apt-get install clamav-daemon),"
              + " as .ci/run does");
    }
    ClamdFixture clamd = new ClamdFixture(dir, streamMaxLength);
    Path db = Files.createDirectories(dir.resolve("db"));
    Files.writeString(
        db.resolve("dropzone-test.ndb"),
        "Dropzone.Test.Body:0:*:" + HexFormat.of().formatHex(BODY_MARKER) + "\n");
    Files.writeString(
        db.resolve("dropzone-test.yar"),
        "rule DropzoneTestRule\n{\n  strings:\n    $marker = \""
            + new String(YARA_MARKER, StandardCharsets.US_ASCII)
            + "\"\n  condition:\n    $marker\n}\n");
    for (Path rules : extraRules) {
      Files.copy(rules, db.resolve(rules.getFileName()));
    }
    Files.createDirectories(dir.resolve("tmp"));
    clamd.port = freePort();
    clamd.launch();
    return clamd;
  }

  /** {@code tcp://127.0.0.1:<port>}. */
  public ClamdAddress tcp() {
    return ClamdAddress.parse("tcp://127.0.0.1:" + port);
  }

  /** {@code unix:<dir>/clamd.sock}. */
  public ClamdAddress unix() {
    return ClamdAddress.parse("unix:" + socketPath());
  }

  /** Stops clamd (as an outage would); {@link #restart()} brings it back on the same port. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** Starts clamd again on the same address after {@link #stop()}. */
  public void restart() throws Exception {
    launch();
  }

  /** Freezes clamd (SIGSTOP): it accepts connections but neither reads nor answers. */
  public void pause() throws Exception {
    signal("STOP");
  }

  /** Lets a paused clamd go on (SIGCONT). */
  public void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  private void launch() throws Exception {
    Path config = dir.resolve("clamd.conf");
    Files.deleteIfExists(socketPath());
    Files.writeString(
        config,
        String.join(
            "\n",
            "DatabaseDirectory " + dir.resolve("db"),
            "TCPSocket " + port,
            "TCPAddr 127.0.0.1",
            "LocalSocket " + socketPath(),
            "Foreground yes",
            "LogFile " + dir.resolve("clamd.log"),
            "PidFile " + dir.resolve("clamd.pid"),
            "TemporaryDirectory " + dir.resolve("tmp"),
            "StreamMaxLength " + streamMaxLength,
            "MaxFileSize " + Math.max(streamMaxLength, 100L << 20),
            "MaxScanSize " + Math.max(streamMaxLength, 100L << 20),
            isRoot() ? "User root" : "",
            ""));
    process =
        new ProcessBuilder(CLAMD.toString(), "--config-file=" + config)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("clamd.out").toFile())
            .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!answers()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("clamd exited with " + process.exitValue() + ": " + log());
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "clamd did not listen within " + START_TIMEOUT + ": " + log());
      }
      Thread.sleep(50);
    }
  }

  private boolean answers() {
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress("127.0.0.1", port), 1000);
    } catch (IOException e) {
      return false;
    }
    try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return unix.connect(UnixDomainSocketAddress.of(socketPath()));
    } catch (IOException e) {
      return false;
    }
  }

  private String log() throws IOException {
    Path out = dir.resolve("clamd.out");
    return Files.exists(out) ? Files.readString(out) : "(no output)";
  }

  private Path socketPath() {
    return dir.resolve("clamd.sock");
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      resume();
      stop();
    }
  }
}
