package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void theJarStartsPrintsItsEndpointsServesCurlAndStopsGracefully() throws Exception {
    ClientProcess.requireInstalled("curl");
    assertThat(JAR).as("the shaded jar is built in the package phase").isRegularFile();
    Path dataDir = work.resolve("data");
    Path stderr = work.resolve("stderr.log");
    Process gateway =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "embedded",
                "--data-dir",
                dataDir.toString(),
                "--port",
                "0",
                "--passive-ports",
                "0")
            .redirectError(stderr.toFile())
            .start();
    try {
      List<String> lines = readUntil(gateway, "Press Ctrl-C to stop.");
      String output = String.join("\n", lines);
      Matcher ftp = FTP_LINE.matcher(output);
      Matcher password = PASSWORD_LINE.matcher(output);
      assertThat(ftp.find()).as(output).isTrue();
      assertThat(password.find()).as(output).isTrue();
      assertThat(output)
          .containsPattern(
              "S3: http://127\\.0\\.0\\.1:\\d+ bucket=dropzone access-key=\\S+ secret-key=\\S+");

      Path original = EmbeddedEndToEndTest.randomFile(work, "readme.bin", 2_000_000);
      FtpUser demo = new FtpUser("demo", password.group(1), Integer.parseInt(ftp.group(1)), work);
      demo.curl("-T", original.toString(), demo.url("/readme.bin")).assertOk("upload");
      Path back = work.resolve("readme.back");
      demo.curl("-o", back.toString(), demo.url("/readme.bin")).assertOk("download");
      assertThat(EmbeddedEndToEndTest.sha256(back))
          .isEqualTo(EmbeddedEndToEndTest.sha256(original));
    } finally {
      gateway.destroy();
      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("stopped after SIGTERM").isTrue();
    }
    assertThat(Files.readString(stderr)).contains("Stopping:").contains("Stopped");
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
