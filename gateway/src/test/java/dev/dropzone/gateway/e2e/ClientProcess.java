package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real command-line FTP client (curl, lftp, rclone, wget, python3) with a bounded run time
 * and captures its output. A missing client fails the test with the install command, rather than
 * skipping silently.
 */
final class ClientProcess {

  /** Long enough for 40 MiB through a loaded two-core machine; a hung client fails the test. */
  private static final long TIMEOUT_SECONDS = 180;

  record Result(int exitCode, String output) {
    Result assertOk(String what) {
      if (exitCode != 0) {
        fail(what + " failed with exit code " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  private ClientProcess() {}

  static void requireInstalled(String... programs) {
    for (String program : programs) {
      boolean found =
          List.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
              .stream()
              .map(dir -> Path.of(dir, program))
              .anyMatch(Files::isExecutable);
      if (!found) {
        fail(
            program
                + " is not installed, but the end-to-end tests drive real FTP clients: install it"
                + " (Debian/Ubuntu: apt-get install -y curl lftp python3 rclone wget; .ci/run does this)");
      }
    }
  }

  static Result run(Path workDir, String... command) throws IOException, InterruptedException {
    return run(workDir, Map.of(), command);
  }

  /** Runs {@code command} with {@code environment} added to this process's environment. */
  static Result run(Path workDir, Map<String, String> environment, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(workDir, "client", ".log");
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    Process process =
        builder
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
            .start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      fail(
          String.join(" ", command)
              + " did not finish within "
              + TIMEOUT_SECONDS
              + " s; output:\n"
              + Files.readString(log));
    }
    Result result = new Result(process.exitValue(), Files.readString(log));
    Files.delete(log);
    return result;
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }
}
