package dev.dropzone.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.auth.ldap.LdapAuthenticator;
import dev.dropzone.gateway.auth.ldap.LdapGroup;
import dev.dropzone.gateway.auth.ldap.TestDirectory;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real backends: LDAP authenticators against an in-memory directory, and one pointed at a closed
 * port. Each backend maps homes under its own prefix, so the home shows which one answered.
 */
class ChainedAuthenticatorTest {

  private static TestDirectory directory;

  /** Admits only members of ftpusers (alice), homes under {@code first/}. */
  private static LdapAuthenticator groupOnly;

  /** Admits everyone in the directory, homes under {@code second/}. */
  private static LdapAuthenticator everyone;

  /** A directory that is down. */
  private static LdapAuthenticator down;

  @BeforeAll
  static void start() throws Exception {
    directory =
        TestDirectory.create().person("alice").person("bob").group("ftpusers", "alice").start();
    groupOnly =
        new LdapAuthenticator(
            directory
                .plain()
                .accessGroup(LdapGroup.named(TestDirectory.GROUPS, "ftpusers"))
                .homePrefix("first")
                .build());
    everyone = new LdapAuthenticator(directory.plain().homePrefix("second").build());
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, TestDirectory.loopback())) {
      closedPort = socket.getLocalPort();
    }
    down =
        new LdapAuthenticator(
            directory.plain().port(closedPort).connectTimeout(Duration.ofSeconds(2)).build());
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {groupOnly, everyone, down}) {
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

  private static Optional<String> home(List<Authenticator> chain, String user, String password)
      throws AuthenticationUnavailableException {
    return new ChainedAuthenticator(chain)
        .authenticate(user, password.toCharArray())
        .map(Account::home);
  }

  @Test
  void firstBackendThatAcceptsWins() throws Exception {
    assertThat(home(List.of(groupOnly, everyone), "alice", TestDirectory.password("alice")))
        .contains("first/alice");
  }

  @Test
  void laterBackendAcceptsWhatAnEarlierOneRefused() throws Exception {
    assertThat(home(List.of(groupOnly, everyone), "bob", TestDirectory.password("bob")))
        .contains("second/bob");
  }

  @Test
  void wrongPasswordEverywhereIsRefused() throws Exception {
    assertThat(home(List.of(groupOnly, everyone), "alice", "wrong")).isEmpty();
  }

  @Test
  void unavailableBackendDoesNotStopALaterOneFromAccepting() throws Exception {
    assertThat(home(List.of(down, everyone), "bob", TestDirectory.password("bob")))
        .contains("second/bob");
  }

  @Test
  void unavailableWinsOverRefusalWhenNobodyAccepts() {
    assertThatThrownBy(() -> home(List.of(down, groupOnly), "bob", TestDirectory.password("bob")))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("LDAP directory");
  }

  @Test
  void noBackendsIsAConfigurationError() {
    assertThatThrownBy(() -> new ChainedAuthenticator(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
