package dev.dropzone.gateway.auth.pam;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real Linux accounts and PAM service files for a test, removed again on close. Needs root; check
 * {@link #isRoot()} first.
 */
public final class LinuxAccounts implements AutoCloseable {

  private static final Path PAM_D = Path.of("/etc/pam.d");

  private final List<String> users = new ArrayList<>();
  private final List<Path> services = new ArrayList<>();

  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The PAM service file Dropzone ships. */
  public static String shippedServiceFile() throws IOException {
    try (InputStream in = PamAuthenticator.class.getResourceAsStream("dropzone")) {
      assertThat(in).as("shipped PAM service file").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Installs {@code /etc/pam.d/<name>}. */
  public LinuxAccounts service(String name, String content) throws IOException {
    Path file = PAM_D.resolve(name);
    Files.writeString(file, content);
    services.add(file);
    return this;
  }

  /** Adds an account without a home directory, with {@code useradd} options and a password. */
  public LinuxAccounts user(String name, String password, String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("useradd", "-M"));
    command.addAll(List.of(options));
    command.add(name);
    run(null, command.toArray(String[]::new));
    users.add(name);
    run(name + ":" + password + "\n", "chpasswd");
    return this;
  }

  /** Runs a command, feeding {@code stdin}; fails the test when it does not succeed. */
  public static void run(String stdin, String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
    assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), output).isZero();
  }

  @Override
  public void close() throws Exception {
    for (String user : users) {
      run(null, "userdel", user);
    }
    for (Path file : services) {
      Files.deleteIfExists(file);
    }
  }
}
