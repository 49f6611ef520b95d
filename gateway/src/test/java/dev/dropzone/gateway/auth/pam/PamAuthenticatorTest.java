package dev.dropzone.gateway.auth.pam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Permission;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real Linux accounts, created for this class with useradd and removed afterwards, checked through
 * the PAM service file Dropzone ships, installed under a unique name. Needs root (as in CI).
 */
class PamAuthenticatorTest {

  private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 6);
  private static final String PASSWORD = "Pw-" + UUID.randomUUID();
  private static final String VALID = "dzpam" + SUFFIX + "ok";
  private static final String LOCKED = "dzpam" + SUFFIX + "lk";
  private static final String NOLOGIN = "dzpam" + SUFFIX + "nl";
  private static final String SYSTEM = "dzpam" + SUFFIX + "sy";
  private static final String NO_PASSWORD = "dzpam" + SUFFIX + "np";
  private static final Path PAM_D = Path.of("/etc/pam.d");
  private static final String SERVICE = "dropzone-test-" + SUFFIX;
  // Only pam_unix: what a naive service file looks like; the Java checks must still hold.
  private static final String LAX_SERVICE = "dropzone-test-lax-" + SUFFIX;

  private static final List<String> createdUsers = new ArrayList<>();
  private static final List<Path> installedServices = new ArrayList<>();

  @BeforeAll
  static void createAccounts() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "PAM tests create Linux accounts with useradd and install /etc/pam.d files: run as root"
            + " (CI does); skipped for user "
            + System.getProperty("user.name"));
    installService(SERVICE, shippedServiceFile());
    installService(LAX_SERVICE, "auth required pam_unix.so\naccount required pam_unix.so\n");
    addUser(VALID, "-s", "/bin/bash");
    addUser(LOCKED, "-s", "/bin/bash");
    run(null, "usermod", "-L", LOCKED);
    addUser(NOLOGIN, "-s", "/usr/sbin/nologin");
    addUser(SYSTEM, "-r", "-s", "/bin/bash");
    addUser(NO_PASSWORD, "-s", "/bin/bash");
    run(null, "passwd", "-d", NO_PASSWORD);
  }

  @AfterAll
  static void removeAccounts() throws Exception {
    for (String user : createdUsers) {
      run(null, "userdel", user);
    }
    for (Path file : installedServices) {
      Files.deleteIfExists(file);
    }
  }

  private static String shippedServiceFile() throws IOException {
    try (InputStream in = PamAuthenticator.class.getResourceAsStream("dropzone")) {
      assertThat(in).as("shipped PAM service file").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void installService(String name, String content) throws IOException {
    Path file = PAM_D.resolve(name);
    Files.writeString(file, content);
    installedServices.add(file);
  }

  private static void addUser(String name, String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("useradd", "-M"));
    command.addAll(List.of(options));
    command.add(name);
    run(null, command.toArray(String[]::new));
    createdUsers.add(name);
    run(name + ":" + PASSWORD + "\n", "chpasswd");
  }

  private static void run(String stdin, String... command) throws Exception {
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

  private static Optional<Account> login(String service, String user, String password) {
    return new PamAuthenticator(PamSettings.defaults().withService(service))
        .authenticate(user, password.toCharArray());
  }

  @Test
  void validLoginGivesHomeUnderUsersAndAllPermissions() {
    assertThat(login(SERVICE, VALID, PASSWORD))
        .contains(new Account(VALID, "users/" + VALID, EnumSet.allOf(Permission.class)));
  }

  @Test
  void wrongPasswordIsRefused() {
    assertThat(login(SERVICE, VALID, PASSWORD + "x")).isEmpty();
  }

  @Test
  void emptyPasswordIsRefusedWithoutAskingPam() {
    assertThat(login(SERVICE, VALID, "")).isEmpty();
  }

  @Test
  void unknownUserIsRefused() {
    assertThat(login(SERVICE, "dzpam" + SUFFIX + "none", PASSWORD)).isEmpty();
  }

  @Test
  void lockedAccountIsRefused() {
    assertThat(login(SERVICE, LOCKED, PASSWORD)).isEmpty();
  }

  @Test
  void accountWithoutPasswordIsRefusedWhateverIsTyped() {
    // PAM's fallback service would accept any password here (common-auth has nullok).
    assertThat(login(SERVICE, NO_PASSWORD, "anything")).isEmpty();
  }

  @Test
  void rootIsRefused() {
    assertThat(login(LAX_SERVICE, "root", PASSWORD)).isEmpty();
  }

  @Test
  void noLoginShellIsRefused() {
    assertThat(login(SERVICE, NOLOGIN, PASSWORD)).isEmpty();
  }

  @Test
  void systemAccountIsRefused() {
    assertThat(login(SERVICE, SYSTEM, PASSWORD)).isEmpty();
  }

  @Test
  void laxServiceFileStillAdmitsValidUser() {
    assertThat(login(LAX_SERVICE, VALID, PASSWORD)).isPresent();
  }

  @Test
  void noLoginShellIsRefusedEvenWhenTheServiceFileLetsItThrough() {
    assertThat(login(LAX_SERVICE, NOLOGIN, PASSWORD)).isEmpty();
  }

  @Test
  void systemAccountIsRefusedEvenWhenTheServiceFileLetsItThrough() {
    assertThat(login(LAX_SERVICE, SYSTEM, PASSWORD)).isEmpty();
  }

  @Test
  void userNameThatIsNoFileNameIsRefused() {
    assertThat(login(SERVICE, "../" + VALID, PASSWORD)).isEmpty();
  }

  @Test
  void missingServiceFileRefusesToStart() {
    String missing = "dropzone-missing-" + SUFFIX;
    assertThatThrownBy(() -> new PamAuthenticator(PamSettings.defaults().withService(missing)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PAM service file '" + missing + "' not found")
        .hasMessageContaining("/etc/pam.d/" + missing);
  }
}
