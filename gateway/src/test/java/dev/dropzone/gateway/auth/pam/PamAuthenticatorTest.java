package dev.dropzone.gateway.auth.pam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Permission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.UUID;
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
  private static final String SERVICE = "dropzone-test-" + SUFFIX;
  // Only pam_unix: what a naive service file looks like; the Java checks must still hold.
  private static final String LAX_SERVICE = "dropzone-test-lax-" + SUFFIX;

  private static final LinuxAccounts accounts = new LinuxAccounts();

  @BeforeAll
  static void createAccounts() throws Exception {
    assumeTrue(
        LinuxAccounts.isRoot(),
        "PAM tests create Linux accounts with useradd and install /etc/pam.d files: run as root"
            + " (CI does); skipped for user "
            + System.getProperty("user.name"));
    accounts
        .service(SERVICE, LinuxAccounts.shippedServiceFile())
        .service(LAX_SERVICE, "auth required pam_unix.so\naccount required pam_unix.so\n")
        .user(VALID, PASSWORD, "-s", "/bin/bash")
        .user(LOCKED, PASSWORD, "-s", "/bin/bash")
        .user(NOLOGIN, PASSWORD, "-s", "/usr/sbin/nologin")
        .user(SYSTEM, PASSWORD, "-r", "-s", "/bin/bash")
        .user(NO_PASSWORD, PASSWORD, "-s", "/bin/bash");
    LinuxAccounts.run(null, "usermod", "-L", LOCKED);
    LinuxAccounts.run(null, "passwd", "-d", NO_PASSWORD);
  }

  @AfterAll
  static void removeAccounts() throws Exception {
    accounts.close();
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
