package dev.dropzone.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.auth.ChainedAuthenticator.Source;
import dev.dropzone.gateway.auth.ldap.LdapAuthenticator;
import dev.dropzone.gateway.auth.ldap.LdapGroup;
import dev.dropzone.gateway.auth.ldap.TestDirectory;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real backends: a users file and LDAP authenticators against an in-memory directory (one pointed
 * at a closed port). The file holds {@code alice} and {@code bob}, names the directory has too, and
 * {@code frank}, who only the file has. The directory's homes are under {@code ldap/}, so the home
 * shows which source answered.
 */
class ChainedAuthenticatorTest {

  private static final String FILE_PASSWORD = "file password";

  @TempDir static Path dir;
  private static TestDirectory directory;
  private static FileAuthenticator file;

  /** Admits only members of ftpusers (alice, carol); bob is in the directory but not the group. */
  private static LdapAuthenticator ldap;

  /** A directory that is down. */
  private static LdapAuthenticator down;

  @BeforeAll
  static void start() throws Exception {
    directory =
        TestDirectory.create()
            .person("alice")
            .person("bob")
            .person("carol")
            .group("ftpusers", "alice", "carol")
            .start();
    ldap =
        new LdapAuthenticator(
            directory
                .plain()
                .accessGroup(LdapGroup.named(TestDirectory.GROUPS, "ftpusers"))
                .homePrefix("ldap")
                .build());
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, TestDirectory.loopback())) {
      closedPort = socket.getLocalPort();
    }
    down =
        new LdapAuthenticator(
            directory.plain().port(closedPort).connectTimeout(Duration.ofSeconds(2)).build());
    UsersFile users = new UsersFile(dir.resolve("users.yaml"));
    String hash = PasswordHashes.hash(FILE_PASSWORD.toCharArray());
    users.write(
        List.of(
            UserEntry.of("alice", hash), UserEntry.of("bob", hash), UserEntry.of("frank", hash)));
    file = new FileAuthenticator(users);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {ldap, down}) {
      if (closeable != null) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
    if (directory != null) {
      directory.close();
    }
  }

  private static Source source(String name, UserDirectory directory) {
    return new Source(name, directory);
  }

  private static Optional<String> home(List<Source> chain, String user, String password)
      throws AuthenticationUnavailableException {
    return new ChainedAuthenticator(chain)
        .authenticate(user, password.toCharArray())
        .map(Account::home);
  }

  private static List<Source> fileThenLdap() {
    return List.of(source("file", file), source("ldap", ldap));
  }

  private static List<Source> ldapThenFile() {
    return List.of(source("ldap", ldap), source("file", file));
  }

  @Test
  void aLoginIsTakenBackOnlyByTheSourceThatAcceptedIt() throws Exception {
    UsersFile own = new UsersFile(dir.resolve("revocation.yaml"));
    own.write(List.of(UserEntry.of("frank", PasswordHashes.hash(FILE_PASSWORD.toCharArray()))));
    ChainedAuthenticator chain =
        new ChainedAuthenticator(
            List.of(source("ldap", ldap), source("file", new FileAuthenticator(own))));
    long mark = chain.mark();
    Account frank = chain.authenticate("frank", FILE_PASSWORD.toCharArray()).orElseThrow();
    Account carol =
        chain.authenticate("carol", TestDirectory.password("carol").toCharArray()).orElseThrow();
    assertThat(frank.backend()).isEqualTo("file");
    assertThat(carol.backend()).isEqualTo("ldap");
    assertThat(chain.revoked(frank, mark)).isEmpty();

    own.write(List.of());

    assertThat(chain.revoked(frank, mark)).contains("removed from the users file");
    // The file has no carol either, but it did not log her in; LDAP takes nothing back.
    assertThat(chain.revoked(carol, mark)).isEmpty();
  }

  @Test
  void aLaterSourceLogsInTheNamesOnlyItHas() throws Exception {
    assertThat(home(fileThenLdap(), "carol", TestDirectory.password("carol")))
        .contains("ldap/carol");
    assertThat(home(ldapThenFile(), "frank", FILE_PASSWORD)).contains("users/frank");
  }

  @Test
  void aNameInTwoSourcesBelongsToTheFirstAndTheOtherOnesUserIsRefused() throws Exception {
    assertThat(home(fileThenLdap(), "alice", FILE_PASSWORD)).contains("users/alice");
    assertThat(home(fileThenLdap(), "alice", TestDirectory.password("alice")))
        .as("the directory's alice must not get the file's alice's home and key")
        .isEmpty();

    assertThat(home(ldapThenFile(), "alice", TestDirectory.password("alice")))
        .contains("ldap/alice");
    assertThat(home(ldapThenFile(), "alice", FILE_PASSWORD)).isEmpty();
  }

  @Test
  void onlyTheFirstSourcesMemoryAnswersWithoutACheck() throws Exception {
    ChainedAuthenticator fileFirst = new ChainedAuthenticator(fileThenLdap());
    assertThat(fileFirst.authenticate("alice", FILE_PASSWORD.toCharArray())).isPresent();
    assertThat(fileFirst.recentlyVerified("alice", FILE_PASSWORD.toCharArray()))
        .hasValueSatisfying(
            account -> {
              assertThat(account.home()).isEqualTo("users/alice");
              assertThat(account.backend()).isEqualTo("file");
            });
    assertThat(fileFirst.recentlyVerified("alice", TestDirectory.password("alice").toCharArray()))
        .isEmpty();

    // The file remembers frank, but whether LDAP, listed first, owns the name must be asked.
    ChainedAuthenticator ldapFirst = new ChainedAuthenticator(ldapThenFile());
    assertThat(ldapFirst.authenticate("frank", FILE_PASSWORD.toCharArray())).isPresent();
    assertThat(ldapFirst.recentlyVerified("frank", FILE_PASSWORD.toCharArray())).isEmpty();
  }

  @Test
  void aDirectoryEntryOutsideTheAccessGroupStillOwnsItsName() throws Exception {
    assertThat(home(ldapThenFile(), "bob", FILE_PASSWORD)).isEmpty();
    assertThat(home(fileThenLdap(), "bob", FILE_PASSWORD)).contains("users/bob");
  }

  @Test
  void wrongPasswordEverywhereIsRefused() throws Exception {
    assertThat(home(fileThenLdap(), "alice", "wrong")).isEmpty();
    assertThat(home(fileThenLdap(), "nobody", "wrong")).isEmpty();
  }

  @Test
  void aLaterSourceThatIsDownDoesNotStopAnEarlierOne() throws Exception {
    assertThat(home(List.of(source("file", file), source("ldap", down)), "frank", FILE_PASSWORD))
        .contains("users/frank");
  }

  @Test
  void anEarlierSourceThatCannotTellWhetherItHasTheNameMakesTheLoginUnavailable() {
    assertThatThrownBy(
            () -> home(List.of(source("ldap", down), source("file", file)), "frank", FILE_PASSWORD))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("ldap cannot tell whether it has the user")
        .matches(e -> ((AuthenticationUnavailableException) e).passwordChecked());
  }

  @Test
  void aRefusalElsewhereMarksTheUnavailableResultAsChecked() {
    assertThatThrownBy(
            () -> home(List.of(source("file", file), source("ldap", down)), "frank", "wrong"))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("LDAP directory")
        .matches(e -> ((AuthenticationUnavailableException) e).passwordChecked());
    assertThatThrownBy(() -> home(List.of(source("ldap", down)), "frank", "wrong"))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .matches(e -> !((AuthenticationUnavailableException) e).passwordChecked());
  }

  @Test
  void noBackendsIsAConfigurationError() {
    assertThatThrownBy(() -> new ChainedAuthenticator(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
