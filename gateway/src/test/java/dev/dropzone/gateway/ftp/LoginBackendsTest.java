package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dropzone.gateway.LogCapture;
import dev.dropzone.gateway.auth.ChainedAuthenticator;
import dev.dropzone.gateway.auth.ldap.TestDirectory;
import dev.dropzone.gateway.auth.pam.LinuxAccounts;
import dev.dropzone.gateway.cli.Main;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.ftp.connection.AdmissionFilter;
import dev.dropzone.gateway.runtime.UserSources;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Logins through the real FTP server for every backend, each configured as an administrator would
 * (the {@code auth} section of dropzone.yaml): the users file, an LDAP directory (UnboundID's
 * in-memory server on 127.0.0.1), PAM with a real Linux account, and a chain of two.
 */
class LoginBackendsTest {

  private static final String FILE_PASSWORD = "file user password";

  @TempDir Path dir;
  private TestDirectory directory;
  private UserSources sources;
  private GatewayUnderTest gw;

  @BeforeEach
  void usersAndDirectory() throws Exception {
    new UsersFile(dir.resolve("users.yaml"))
        .write(List.of(UserEntry.of("filer", PasswordHashes.hash(FILE_PASSWORD.toCharArray()))));
    directory =
        TestDirectory.create().person("carol").person("dave").group("auditors", "dave").start();
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (sources != null) {
      sources.close();
    }
    directory.close();
  }

  private void start(String auth) throws Exception {
    start(auth, new SettingsBuilder());
  }

  private void start(String auth, SettingsBuilder ftp) throws Exception {
    Path file = dir.resolve("dropzone.yaml");
    Files.writeString(file, "s3:\n  bucket: b\nkeys:\n  keysetFile: keyset.json\n" + auth);
    GatewaySettings settings = new ConfigLoader().file(file).settings(dir);
    sources = UserSources.open(settings.auth(), settings.usersFile());
    gw = GatewayUnderTest.start(ftp.build(), sources.authenticator());
  }

  private String ldap() {
    return "  ldap:\n"
        + "    url: ldap://127.0.0.1:"
        + directory.port("ldap")
        + "\n"
        + "    tls: none\n"
        + "    userDnTemplate: "
        + TestDirectory.TEMPLATE
        + "\n"
        + "    group:\n"
        + "      baseDn: "
        + TestDirectory.GROUPS
        + "\n"
        + "    readOnlyGroup: (cn=auditors)\n";
  }

  @Test
  void fileBackendLogsInUsersOfTheUsersFile() throws Exception {
    start("auth:\n  backends: [file]\n");

    assertCanLogInAndUpload("filer", FILE_PASSWORD);
    assertRefused("filer", "wrong");
    assertRefused("carol", TestDirectory.password("carol"));
  }

  @Test
  void ldapBackendLogsInDirectoryUsersAndMakesTheReadOnlyGroupReadOnly() throws Exception {
    start("auth:\n  backends: [ldap]\n" + ldap());

    assertCanLogInAndUpload("carol", TestDirectory.password("carol"));
    assertRefused("carol", "wrong");
    assertRefused("filer", FILE_PASSWORD);

    FTPClient dave = gw.login("dave", TestDirectory.password("dave"));
    assertThat(dave.listFiles()).isEmpty();
    assertThat(dave.storeFile("x.txt", new ByteArrayInputStream(new byte[10]))).isFalse();
    assertThat(dave.getReplyCode()).isEqualTo(550);
    dave.disconnect();
  }

  @Test
  void failedLdapLoginsGetTheAddressBannedLikeAnyOther() throws Exception {
    SettingsBuilder ftp = new SettingsBuilder();
    ftp.maxLoginFailures = 2;
    start("auth:\n  backends: [ldap]\n" + ldap(), ftp);

    assertRefused("carol", "wrong once");
    FTPClient client = gw.connect();
    assertThatThrownBy(() -> client.login("carol", "wrong twice"))
        .isInstanceOf(FTPConnectionClosedException.class)
        .hasMessageContaining("421");
    client.disconnect();

    // Banned: the address is turned away before it can try the right password.
    assertThatThrownBy(() -> gw.connect())
        .isInstanceOf(FTPConnectionClosedException.class)
        .hasMessageContaining("421");
  }

  @Test
  void chainedBackendsAcceptUsersOfEitherSource() throws Exception {
    start("auth:\n  backends: [ldap, file]\n" + ldap());

    assertCanLogInAndUpload("carol", TestDirectory.password("carol"));
    assertCanLogInAndUpload("filer", FILE_PASSWORD);
    assertRefused("carol", FILE_PASSWORD);
  }

  @Test
  void fileUsersListedFirstKeepLoggingInWhileTheDirectoryIsDown() throws Exception {
    start("auth:\n  backends: [file, ldap]\n" + ldap());
    directory.close();

    assertCanLogInAndUpload("filer", FILE_PASSWORD);
    // Carol may be valid in the directory: "try later" (421), not "wrong password" (530).
    FTPClient client = gw.connect();
    assertThatThrownBy(() -> client.login("carol", TestDirectory.password("carol")))
        .isInstanceOf(FTPConnectionClosedException.class)
        .hasMessageContaining("421");
    client.disconnect();
  }

  @Test
  void fileUsersListedAfterADirectoryThatIsDownCannotLogIn() throws Exception {
    // The directory owns its names; while it is down it cannot say whether it has "filer", so the
    // users file's filer is not let in on trust.
    start("auth:\n  backends: [ldap, file]\n" + ldap());
    directory.close();

    FTPClient client = gw.connect();
    assertThatThrownBy(() -> client.login("filer", FILE_PASSWORD))
        .isInstanceOf(FTPConnectionClosedException.class)
        .hasMessageContaining("421");
    client.disconnect();
  }

  @Test
  void withTheDirectoryDownWrongPasswordsAreStillDelayedCountedAndBanned() throws Exception {
    SourceAddresses.assumeAvailable();
    SettingsBuilder ftp = new SettingsBuilder();
    ftp.maxLoginFailures = 3;
    ftp.loginFailureDelay = Duration.ofMillis(400);
    start("auth:\n  backends: [file, ldap]\n" + ldap(), ftp);
    directory.close();
    InetAddress attacker = SourceAddresses.address(1);
    RawControl openedBefore = new RawControl(gw.port(), attacker);
    assertThat(openedBefore.reply()).startsWith("220");

    // The users file refused the password and the directory could not answer: "try later", but
    // after the delay and counted, or an outage would make guessing at file users free.
    for (String user : List.of("filer", "carol")) {
      try (RawControl guess = new RawControl(gw.port(), attacker)) {
        guess.reply();
        long start = System.nanoTime();
        assertThat(guess.login(user, "a guess"))
            .isEqualTo("421 Login service unavailable, try again later");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isGreaterThanOrEqualTo(ftp.loginFailureDelay);
      }
    }
    try (RawControl guess = new RawControl(gw.port(), attacker)) {
      guess.reply();
      assertThat(guess.login("filer", "third guess")).isEqualTo("421 " + AdmissionFilter.BANNED);
    }
    try (RawControl rightPassword = new RawControl(gw.port(), attacker)) {
      assertThat(rightPassword.reply())
          .as("banned: the right password is never even asked for")
          .isEqualTo("421 " + AdmissionFilter.BANNED);
    }
    try (openedBefore) {
      assertThat(openedBefore.login("filer", FILE_PASSWORD))
          .as("a connection opened before the ban gets no check of the right password either")
          .isEqualTo("421 " + AdmissionFilter.BANNED);
    }
    assertCanLogInAndUpload("filer", FILE_PASSWORD);
  }

  @Test
  void aNameInTheUsersFileAndTheDirectoryBelongsToTheSourceListedFirst() throws Exception {
    new UsersFile(dir.resolve("users.yaml"))
        .write(
            List.of(
                UserEntry.of("filer", PasswordHashes.hash(FILE_PASSWORD.toCharArray())),
                UserEntry.of("carol", PasswordHashes.hash(FILE_PASSWORD.toCharArray()))));
    start("auth:\n  backends: [file, ldap]\n" + ldap());

    try (LogCapture log = LogCapture.of(ChainedAuthenticator.class)) {
      assertRefused("carol", TestDirectory.password("carol"));
      assertThat(log.lines())
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith(
                          "WARN Login of 'carol' refused: ldap accepted the password, but the name"
                              + " belongs to file, listed before it in auth.backends."));
    }
    assertCanLogInAndUpload("carol", FILE_PASSWORD);
  }

  @Test
  void aSourceGivenAHomePrefixOfItsOwnKeepsItsUsersApartInTheStore() throws Exception {
    start("auth:\n  backends: [file, ldap]\n" + ldap() + "    homePrefix: ldap\n");

    for (String user : List.of("filer", "carol")) {
      String password = user.equals("filer") ? FILE_PASSWORD : TestDirectory.password(user);
      FTPClient client = gw.login(user, password);
      assertThat(client.storeFile("mine.txt", new ByteArrayInputStream(new byte[] {7})))
          .as(client.getReplyString())
          .isTrue();
      client.logout();
      client.disconnect();
    }

    assertThat(gw.objectKeys())
        .contains(GatewayUnderTest.PREFIX + "/users/filer/mine.txt")
        .contains(GatewayUnderTest.PREFIX + "/ldap/carol/mine.txt")
        .noneMatch(key -> key.startsWith(GatewayUnderTest.PREFIX + "/users/carol/"));
  }

  @Test
  void aRememberedPasswordLogsInAgainWhileWrongAndChangedOnesAreRefusedAfterTheDelay()
      throws Exception {
    SettingsBuilder ftp = new SettingsBuilder();
    ftp.loginFailureDelay = Duration.ofMillis(400);
    start("auth:\n  backends: [file]\n  credentialCacheTtl: 5m\n", ftp);

    assertCanLogInAndUpload("filer", FILE_PASSWORD);
    assertCanLogInAndUpload("filer", FILE_PASSWORD);
    try (RawControl wrong = new RawControl(gw.port())) {
      wrong.reply();
      long start = System.nanoTime();
      assertThat(wrong.login("filer", FILE_PASSWORD + "!")).isEqualTo("530 Login incorrect");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(ftp.loginFailureDelay);
    }

    CommandLine passwd =
        Main.commandLine(
            new ByteArrayInputStream("a new password\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(
            passwd.execute(
                "users",
                "passwd",
                "--file",
                dir.resolve("users.yaml").toString(),
                "--password-stdin",
                "filer"))
        .isZero();
    assertRefused("filer", FILE_PASSWORD);
    assertCanLogInAndUpload("filer", "a new password");
  }

  @Test
  void pamBackendLogsInLinuxAccounts() throws Exception {
    assumeTrue(
        LinuxAccounts.isRoot(),
        "PAM logins need a Linux account made with useradd and a file in /etc/pam.d: run as"
            + " root (CI does); skipped for user "
            + System.getProperty("user.name"));
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String user = "dzftp" + suffix;
    String password = "Pw-" + UUID.randomUUID();
    String service = "dropzone-ftp-test-" + suffix;
    try (LinuxAccounts accounts = new LinuxAccounts()) {
      accounts
          .service(service, LinuxAccounts.shippedServiceFile())
          .user(user, password, "-s", "/bin/bash");
      start("auth:\n  backends: [pam]\n  pam:\n    service: " + service + "\n");

      assertCanLogInAndUpload(user, password);
      assertRefused(user, password + "x");
      assertRefused("root", password);
    }
  }

  private void assertCanLogInAndUpload(String user, String password) throws Exception {
    FTPClient client = gw.login(user, password);
    assertThat(client.storeFile("hello.txt", new ByteArrayInputStream(new byte[] {1, 2, 3})))
        .as(client.getReplyString())
        .isTrue();
    assertThat(gw.objectKeys()).contains(GatewayUnderTest.key(user, "hello.txt"));
    client.logout();
    client.disconnect();
  }

  private void assertRefused(String user, String password) throws Exception {
    FTPClient client = gw.connect();
    assertThat(client.login(user, password)).isFalse();
    assertThat(client.getReplyCode()).as(client.getReplyString()).isEqualTo(530);
    client.disconnect();
  }
}
