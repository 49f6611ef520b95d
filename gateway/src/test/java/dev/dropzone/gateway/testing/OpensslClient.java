package dev.dropzone.gateway.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code openssl s_client} against an FTPS port, as a TLS client outside the JVM sees it. */
public final class OpensslClient {

  private OpensslClient() {}

  /** Fails the test with the install command when openssl is missing. */
  public static void requireInstalled() {
    boolean found =
        List.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)).stream()
            .anyMatch(d -> Files.isExecutable(Path.of(d, "openssl")));
    if (!found) {
      fail("openssl is not installed; on Debian/Ubuntu: apt-get install -y openssl");
    }
  }

  /**
   * One handshake, then QUIT; the whole s_client output.
   *
   * @param explicit AUTH TLS first ({@code -starttls ftp}); otherwise implicit FTPS
   */
  public static String handshake(int port, boolean explicit, String... options) throws Exception {
    Process client = start(port, explicit, options);
    try (OutputStream in = client.getOutputStream()) {
      in.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // s_client already gone (handshake refused)
    }
    byte[] output = client.getInputStream().readAllBytes();
    if (!client.waitFor(60, TimeUnit.SECONDS)) {
      client.destroyForcibly();
      fail("openssl s_client did not end");
    }
    return new String(output, StandardCharsets.UTF_8);
  }

  /**
   * Connects with TLS 1.2 (TLS 1.3 has no renegotiation), asks to renegotiate once the server has
   * greeted, and waits until the server has ended the connection or a second handshake completed.
   *
   * @return s_client's output; it holds {@code RENEGOTIATING}, and a {@code verify} line after it
   *     only if the server renegotiated
   */
  public static List<String> renegotiate(int port, boolean explicit) throws Exception {
    Process client = start(port, explicit, "-tls1_2", "-no_ign_eof");
    List<String> lines = new ArrayList<>();
    CompletableFuture<Void> reader = readAll(client, lines);
    OutputStream in = client.getOutputStream();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> seen(lines, "220 "));
      in.write("R\n".getBytes(StandardCharsets.US_ASCII)); // s_client: renegotiate now
      in.flush();
      await().atMost(Duration.ofSeconds(60)).until(() -> !client.isAlive() || renegotiated(lines));
    } finally {
      client.destroy();
      client.waitFor(10, TimeUnit.SECONDS);
      reader.get(10, TimeUnit.SECONDS);
    }
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** A certificate check after RENEGOTIATING: s_client finished a second handshake. */
  public static boolean renegotiated(List<String> lines) {
    synchronized (lines) {
      int start = lines.indexOf("RENEGOTIATING");
      return start >= 0
          && lines.subList(start, lines.size()).stream().anyMatch(l -> l.startsWith("verify"));
    }
  }

  private static Process start(int port, boolean explicit, String... options) throws IOException {
    List<String> command = new ArrayList<>(List.of("-connect", "127.0.0.1:" + port));
    if (explicit) {
      command.addAll(List.of("-starttls", "ftp"));
    }
    command.addAll(List.of(options));
    return sClient(command.toArray(String[]::new));
  }

  /** {@code openssl s_client} with {@code options}, its standard error merged into its output. */
  public static Process sClient(String... options) throws IOException {
    List<String> command = new ArrayList<>(List.of("openssl", "s_client"));
    command.addAll(List.of(options));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** The first line so far that starts with {@code start}, or null. */
  public static String line(List<String> lines, String start) {
    synchronized (lines) {
      return lines.stream().filter(l -> l.startsWith(start)).findFirst().orElse(null);
    }
  }

  private static boolean seen(List<String> lines, String start) {
    return line(lines, start) != null;
  }

  /** Adds each line {@code process} writes to {@code lines} (synchronized on it) until it ends. */
  public static CompletableFuture<Void> readAll(Process process, List<String> lines) {
    return CompletableFuture.runAsync(
        () -> {
          try (BufferedReader reader =
              new BufferedReader(
                  new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
              synchronized (lines) {
                lines.add(line);
              }
            }
          } catch (IOException e) {
            // process ended
          }
        });
  }
}
