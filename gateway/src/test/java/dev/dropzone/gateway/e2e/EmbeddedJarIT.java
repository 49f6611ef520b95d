package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.config.YamlMappers;
import dev.dropzone.gateway.embedded.EmbeddedCredentials;
import dev.dropzone.gateway.testing.OpensslClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    } finally {
      gateway.destroy();
      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
    }
    assertThat(Files.readString(stderr)).contains("Stopping:").contains("Stopped");
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

  private Process start(Path stderr, Map<String, String> environment, String... extra)
      throws Exception {
    assertThat(JAR).as("the shaded jar is built in the package phase").isRegularFile();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "embedded",
                "--data-dir",
                dataDir.toString(),
                "--port",
                "0",
                "--passive-ports",
                "0",
                "--ftps-port",
                "0",
                // Any free port: a fixed one fails the test wherever something already holds it.
                "--admin-port",
                "0"));
    command.addAll(List.of(extra));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
    builder.environment().putAll(environment);
    return builder.start();
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
