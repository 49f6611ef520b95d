package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dropzone.gateway.config.YamlMappers;
import dev.dropzone.gateway.embedded.EmbeddedCredentials;
import dev.dropzone.gateway.testing.OpensslClient;
import dev.dropzone.gateway.testing.ResettingClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command: the built jar in embedded mode, an upload and download with curl,
 * then a graceful stop on SIGTERM.
 */
class EmbeddedJarIT {

  private static final Path JAR = Path.of("target", "dropzone.jar");
  private static final Pattern FTP_LINE =
      Pattern.compile("FTP: ftp://demo@127\\.0\\.0\\.1:(\\d+)/");
  private static final Pattern PASSWORD_LINE = Pattern.compile("Demo user: demo password: (\\w+) ");

  @TempDir Path work;
  @TempDir Path dataDir;

  @Test
  void theJarStartsPrintsItsEndpointsServesCurlAndStopsGracefully() throws Exception {
    ClientProcess.requireInstalled("curl");
    Path stderr = work.resolve("stderr.log");
    Process gateway = start(stderr, Map.of());
    try {
      List<String> lines = readUntil(gateway, "Press Ctrl-C to stop.");
      String output = String.join("\n", lines);
      Matcher ftp = FTP_LINE.matcher(output);
      Matcher password = PASSWORD_LINE.matcher(output);
      assertThat(ftp.find()).as(output).isTrue();
      assertThat(password.find()).as(output).isTrue();
      assertThat(output)
          .containsPattern(
              "S3: http://127\\.0\\.0\\.1:\\d+ bucket=dropzone access-key=\\S+ region=us-east-1"
                  + " secret-key: secretKey in \\S+embedded\\.yaml");

      assertListeningOnLoopbackOnly(output);

      Path original = EmbeddedEndToEndTest.randomFile(work, "readme.bin", 2_000_000);
      FtpUser demo = new FtpUser("demo", password.group(1), Integer.parseInt(ftp.group(1)), work);
      demo.curl("-T", original.toString(), demo.url("/readme.bin")).assertOk("upload");
      Path back = work.resolve("readme.back");
      demo.curl("-o", back.toString(), demo.url("/readme.bin")).assertOk("download");
      assertThat(EmbeddedEndToEndTest.sha256(back))
          .isEqualTo(EmbeddedEndToEndTest.sha256(original));

      // The jar refuses TLS renegotiation by itself (the test JVM's own setting does not apply).
      OpensslClient.requireInstalled();
      List<String> renegotiation = OpensslClient.renegotiate(Integer.parseInt(ftp.group(1)), true);
      assertThat(renegotiation).contains("RENEGOTIATING");
      assertThat(OpensslClient.renegotiated(renegotiation))
          .as(String.join("\n", renegotiation))
          .isFalse();

      // Clients that reset their control connection, before and after logging in.
      int port = Integer.parseInt(ftp.group(1));
      ResettingClient.resetAfter(port);
      ResettingClient.resetAfter(port, "USER demo", "PASS " + password.group(1), "PWD");
      demo.curl("-o", back.toString(), demo.url("/readme.bin")).assertOk("download after resets");
    } finally {
      gateway.destroy();
      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
    }
    String log = Files.readString(stderr);
    assertThat(log).contains("Stopping:").contains("Stopped");
    assertThat(log)
        .as("a client resetting its connection is no server error")
        .doesNotContain(" ERROR ")
        .doesNotContain("Connection reset")
        .doesNotContain("\tat ");
  }

  /**
   * Passwords given through a file and an environment variable never reach the process's command
   * line (what {@code ps} shows everyone), and the S3 secret key is printed nowhere: only the path
   * of its owner-only file is.
   */
  @Test
  void passwordsAndTheS3SecretStayOffTheCommandLineAndOutOfTheOutput() throws Exception {
    ClientProcess.requireInstalled("curl");
    Path aliceFile = Files.writeString(work.resolve("alice.password"), "alice-secret-42\n");
    Path stderr = work.resolve("stderr.log");
    Process gateway =
        start(
            stderr,
            Map.of("BOB_PASSWORD", "bob-secret-4242"),
            "--user",
            "alice",
            "--password-file",
            aliceFile.toString(),
            "--user",
            "bob",
            "--password-env",
            "BOB_PASSWORD");
    try {
      String output = String.join("\n", readUntil(gateway, "Press Ctrl-C to stop."));
      Matcher ftp = Pattern.compile("FTP: ftp://alice@127\\.0\\.0\\.1:(\\d+)/").matcher(output);
      assertThat(ftp.find()).as(output).isTrue();
      int port = Integer.parseInt(ftp.group(1));

      String commandLine = gateway.info().commandLine().orElseThrow();
      assertThat(commandLine).contains("--password-file").doesNotContain("alice-secret-42");
      assertThat(commandLine).contains("--password-env").doesNotContain("bob-secret-4242");

      Path credentials = dataDir.resolve("embedded.yaml");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)))
          .isEqualTo("rw-------");
      String secret =
          YamlMappers.strict()
              .readValue(credentials.toFile(), EmbeddedCredentials.class)
              .secretKey();
      assertThat(output).doesNotContain(secret).contains("secretKey in " + credentials);
      assertThat(Files.readString(stderr)).doesNotContain(secret).doesNotContain("Warning");

      Path file = EmbeddedEndToEndTest.randomFile(work, "secret.bin", 1000);
      new FtpUser("alice", "alice-secret-42", port, work)
          .curl("-T", file.toString(), "ftp://127.0.0.1:" + port + "/a.bin")
          .assertOk("alice logs in with the password from her file");
      new FtpUser("bob", "bob-secret-4242", port, work)
          .curl("-T", file.toString(), "ftp://127.0.0.1:" + port + "/b.bin")
          .assertOk("bob logs in with the password from the environment");
    } finally {
      gateway.destroy();
      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
    }
  }

  /**
   * With the log at DEBUG and the process's temporary and working directories its own, a round of
   * wrong and right logins, a multipart and a one-part upload, downloads and a resumed download
   * leave the file's bytes nowhere on disk but encrypted in the store, and no password, S3 secret,
   * master key or file content in the diagnostic or audit log. The data directory it creates is its
   * owner's only.
   */
  @Test
  void noPlaintextReachesTheDiskAndNoSecretTheLogEvenAtDebug() throws Exception {
    ClientProcess.requireInstalled("curl");
    Path tmp = Files.createDirectories(work.resolve("process-tmp"));
    Path cwd = Files.createDirectories(work.resolve("process-cwd"));
    String marker = "PLAINTEXT-THAT-MUST-NOT-LEAK-";
    Path big = work.resolve("big.txt");
    Files.writeString(big, marker.repeat((12 << 20) / marker.length()));
    Path small = work.resolve("small.txt");
    Files.writeString(small, marker.repeat(3000));
    String wrongPassword = "wrong-password-7731";

    Path stderr = work.resolve("stderr.log");
    Path stdout = work.resolve("stdout.log");
    Path data = work.resolve("data");
    ProcessBuilder builder =
        command(data, List.of("-Djava.io.tmpdir=" + tmp))
            .directory(cwd.toFile())
            .redirectError(stderr.toFile())
            .redirectOutput(stdout.toFile());
    builder.environment().put("DROPZONE_LOG_LEVEL", "DEBUG");
    Process gateway = builder.start();
    String password;
    try {
      String ready = awaitLine(gateway, stdout, "Press Ctrl-C to stop.");
      Matcher ftp = FTP_LINE.matcher(ready);
      Matcher demoPassword = PASSWORD_LINE.matcher(ready);
      assertThat(ftp.find() && demoPassword.find()).as(ready).isTrue();
      int port = Integer.parseInt(ftp.group(1));
      password = demoPassword.group(1);

      ClientProcess.Result refused =
          new FtpUser("demo", wrongPassword, port, work)
              .curl("--list-only", "ftp://127.0.0.1:" + port + "/");
      assertThat(refused.exitCode()).as(refused.output()).isNotZero();
      FtpUser demo = new FtpUser("demo", password, port, work);
      demo.curl("-T", big.toString(), demo.url("/big.txt")).assertOk("multipart upload");
      demo.curl("-T", small.toString(), demo.url("/small.txt")).assertOk("one-part upload");
      Path back = work.resolve("big.back");
      demo.curl("-o", back.toString(), demo.url("/big.txt")).assertOk("download");
      assertThat(Files.mismatch(back, big)).isEqualTo(-1);
      Path tail = work.resolve("big.tail");
      demo.curl("-C", "5000001", "-o", tail.toString(), demo.url("/big.txt"))
          .assertOk("resumed download");
      assertThat(Files.size(tail)).isEqualTo(Files.size(big) - 5000001);
      demo.curl("-o", work.resolve("small.back").toString(), demo.url("/small.txt"))
          .assertOk("download");
    } finally {
      gateway.destroy();
      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
    }

    String log = Files.readString(stderr);
    // The demo user's password is printed once, in the banner, by design; what follows is the
    // audit log.
    String printed = Files.readString(stdout);
    String audit = printed.substring(printed.indexOf("Press Ctrl-C to stop."));
    assertThat(log).as("the log really was at DEBUG").contains(" DEBUG ");
    assertThat(audit).as("the audit log saw the transfers").contains("big.txt");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
        .as("the data directory, created at the first start")
        .isEqualTo("rwx------");
    String secret =
        YamlMappers.strict()
            .readValue(data.resolve("embedded.yaml").toFile(), EmbeddedCredentials.class)
            .secretKey();
    List<String> masterKeys = keyMaterial(data.resolve("keys/master-keyset.json"));
    assertThat(masterKeys).isNotEmpty();
    for (String output : List.of(log, audit)) {
      assertThat(output)
          .doesNotContain(password)
          .doesNotContain(wrongPassword)
          .doesNotContain(secret)
          .doesNotContain(marker);
      for (String key : masterKeys) {
        assertThat(output).doesNotContain(key);
      }
    }
    long scanned = 0;
    for (Path dir : List.of(data, tmp, cwd)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          byte[] content = Files.readAllBytes(file);
          scanned += content.length;
          assertThat(new String(content, StandardCharsets.ISO_8859_1))
              .as(file.toString())
              .doesNotContain(marker)
              .doesNotContain(wrongPassword);
        }
      }
    }
    assertThat(scanned)
        .as("the store's files were among those searched")
        .isGreaterThan(Files.size(big) + Files.size(small));
  }

  /** The key material of a Tink JSON keyset: each key's base64 {@code value}. */
  private static List<String> keyMaterial(Path keyset) throws Exception {
    List<String> values = new ArrayList<>();
    for (JsonNode key : YamlMappers.strict().readTree(keyset.toFile()).path("key")) {
      values.add(key.path("keyData").path("value").asText());
    }
    return values.stream().filter(v -> v.length() >= 16).toList();
  }

  /**
   * Every port the start-up output names (FTP, FTPS, S3, admin) takes connections on 127.0.0.1 and
   * refuses them on this host's other addresses: the default bind is loopback, not all interfaces.
   */
  private static void assertListeningOnLoopbackOnly(String output) throws Exception {
    List<Integer> ports =
        Pattern.compile("(?m)^(?:FTP|FTPS|S3|Admin): \\w+://(?:demo@)?127\\.0\\.0\\.1:(\\d+)")
            .matcher(output)
            .results()
            .map(m -> Integer.parseInt(m.group(1)))
            .toList();
    assertThat(ports).as(output).hasSize(4);
    List<InetAddress> others =
        NetworkInterface.networkInterfaces()
            .filter(EmbeddedJarIT::isUp)
            .flatMap(NetworkInterface::inetAddresses)
            .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
            .toList();
    for (int port : ports) {
      try (Socket loopback = new Socket(InetAddress.getLoopbackAddress(), port)) {
        assertThat(loopback.isConnected()).isTrue();
      }
      for (InetAddress other : others) {
        assertThatThrownBy(
                () -> {
                  try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(other, port), 2_000);
                  }
                })
            .as("port %d on %s", port, other)
            .isInstanceOf(ConnectException.class);
      }
    }
  }

  private static boolean isUp(NetworkInterface nic) {
    try {
      return nic.isUp();
    } catch (SocketException e) {
      return false;
    }
  }

  /** Waits until the process has written {@code last} to {@code stdout}; what it wrote by then. */
  private static String awaitLine(Process process, Path stdout, String last) {
    return await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () -> {
              String seen = Files.exists(stdout) ? Files.readString(stdout) : "";
              if (!process.isAlive() && seen.lines().noneMatch(last::equals)) {
                throw new AssertionError(
                    "the gateway exited before it was ready; it printed: " + seen);
              }
              return seen;
            },
            seen -> seen.lines().anyMatch(last::equals));
  }

  private Process start(Path stderr, Map<String, String> environment, String... extra)
      throws Exception {
    ProcessBuilder builder = command(dataDir, List.of(), extra).redirectError(stderr.toFile());
    builder.environment().putAll(environment);
    return builder.start();
  }

  private static ProcessBuilder command(Path data, List<String> jvmOptions, String... extra) {
    assertThat(JAR).as("the shaded jar is built in the package phase").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        new ArrayList<>(
            List.of(
                "-jar",
                JAR.toAbsolutePath().toString(),
                "embedded",
                "--data-dir",
                data.toString(),
                "--port",
                "0",
                "--passive-ports",
                "0",
                "--ftps-port",
                "0",
                // Any free port: a fixed one fails the test wherever something already holds it.
                "--admin-port",
                "0")));
    command.addAll(List.of(extra));
    return new ProcessBuilder(command);
  }

  private static List<String> readUntil(Process process, String last) throws Exception {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<List<String>> lines =
        CompletableFuture.supplyAsync(
            () -> {
              List<String> seen = new ArrayList<>();
              try {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                  seen.add(line);
                  if (line.equals(last)) {
                    return seen;
                  }
                }
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
              throw new AssertionError(
                  "the gateway exited before it was ready; it printed: " + seen);
            });
    return lines.get(120, TimeUnit.SECONDS);
  }
}
