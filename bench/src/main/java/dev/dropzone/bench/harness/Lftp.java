package dev.dropzone.bench.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * lftp, the client the users run, as a process of its own per command list: a new process
 * is a new session (connect, login) each time. The script, password included, goes in on standard
 * input, so the password is in no process's arguments.
 */
record Lftp(int port, String user, String password) {

  private static final long TIMEOUT_MINUTES = 10;

  /** Fails with a message that says what to install when lftp is missing. */
  static void requireInstalled() throws IOException {
    try {
      Process version = new ProcessBuilder("lftp", "--version").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      if (version.waitFor() == 0) {
        return;
      }
    } catch (IOException e) {
      // Reported below with the fix.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new IOException(
        "lftp is not installed or does not run: cases 9 and 10 drive it"
            + " (Debian/Ubuntu: apt-get install lftp), or leave them out with -Dbench.cases");
  }

  /** {@code mirror -R}: uploads every file of {@code local} into {@code remote}. */
  void mirrorUp(Path local, String remote, int parallel) throws IOException {
    run("mirror -R --parallel=" + parallel + " " + local + " " + remote);
  }

  /** {@code mirror}: downloads every file of {@code remote} into {@code local}. */
  void mirrorDown(String remote, Path local, int parallel) throws IOException {
    run("mirror --parallel=" + parallel + " " + remote + " " + local);
  }

  /** {@code ls} (a LIST) of {@code remote}; returns the listing's lines. */
  List<String> ls(String remote) throws IOException {
    return run("ls " + remote);
  }

  /** lftp started and ended without a session: its own start-up time. */
  static void startOnly() throws IOException {
    execute("exit\n");
  }

  private List<String> run(String command) throws IOException {
    // Fail at the first error, without lftp's retries; plain FTP (the gateway under benchmark has
    // no TLS, and lftp would otherwise try AUTH TLS first).
    String script =
        "set cmd:fail-exit yes\n"
            + "set net:max-retries 1\n"
            + "set net:timeout 60\n"
            + "set ftp:ssl-allow no\n"
            + "open -u "
            + user
            + ","
            + password
            + " -p "
            + port
            + " ftp://127.0.0.1\n"
            + command
            + "\n";
    return execute(script);
  }

  private static List<String> execute(String script) throws IOException {
    Process lftp = new ProcessBuilder("lftp").redirectErrorStream(true).start();
    try (OutputStream in = lftp.getOutputStream()) {
      in.write(script.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(lftp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!lftp.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        lftp.destroyForcibly();
        throw new IOException("lftp did not finish within " + TIMEOUT_MINUTES + " minutes");
      }
    } catch (InterruptedException e) {
      lftp.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String command = script.substring(script.lastIndexOf('\n', script.length() - 2) + 1).trim();
    if (lftp.exitValue() != 0) {
      throw new IOException("lftp " + command + " exited with " + lftp.exitValue() + ": " + output);
    }
    List<String> lines = new ArrayList<>(output.lines().toList());
    lines.removeIf(String::isBlank);
    return lines;
  }
}
