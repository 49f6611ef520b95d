package dev.dropzone.gateway.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.listener.InMemoryListenerConfig;
import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.kek.testing.TestCertificate;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against UnboundID's in-memory directory: a real LDAP server on 127.0.0.1. */
class LdapAuthenticatorTest {

  private static final String BASE = TestDirectory.BASE;
  private static final String PEOPLE = TestDirectory.PEOPLE;
  private static final String TEMPLATE = TestDirectory.TEMPLATE;
  private static final LdapGroup FTP_USERS = LdapGroup.named(TestDirectory.GROUPS, "ftpusers");
  private static final LdapGroup READ_ONLY = LdapGroup.named(TestDirectory.GROUPS, "readonly");

  @TempDir static Path tmp;
  private static TestDirectory directory;
  private static Path trustedPem;
  private static Path otherHostPem;

  @BeforeAll
  static void startDirectory() throws Exception {
    TestCertificate certificate = TestCertificate.forLoopback("ldap-test");
    SSLContext tls = certificate.serverContext();
    trustedPem = certificate.writeCertificatePem(tmp.resolve("ldap-ca.pem"));
    TestCertificate otherHost =
        TestCertificate.forOtherHost("ldap-other", "ldap.elsewhere.example");
    otherHostPem = otherHost.writeCertificatePem(tmp.resolve("ldap-other-ca.pem"));
    InetAddress loopback = TestDirectory.loopback();
    directory =
        TestDirectory.create(
                InMemoryListenerConfig.createLDAPSConfig(
                    "ldaps", loopback, 0, tls.getServerSocketFactory(), null),
                // StartTLS needs the server's own socket factory, not a client one.
                InMemoryListenerConfig.createLDAPConfig(
                    "starttls", loopback, 0, tls.getSocketFactory()),
                InMemoryListenerConfig.createLDAPSConfig(
                    "ldaps-other-host",
                    loopback,
                    0,
                    otherHost.serverContext().getServerSocketFactory(),
                    null))
            .person("alice")
            .person("bob")
            .person(
                "carol",
                "dropzoneHome: teams/blue",
                "dropzonePermission: list",
                "dropzonePermission: READ")
            .person("dave")
            .person("eve", "dropzoneHome: ../../outside")
            .group("ftpusers", "alice", "carol", "dave", "eve")
            .group("readonly", "dave")
            .start();
  }

  private static String password(String uid) {
    return TestDirectory.password(uid);
  }

  @AfterAll
  static void stopDirectory() {
    if (directory != null) {
      directory.close();
    }
  }

  private static LdapSettings.Builder plain() {
    return LdapSettings.builder("127.0.0.1").port(directory.port("ldap")).tls(LdapTls.NONE);
  }

  private static LdapSettings.Builder searching() {
    return plain()
        .userSearch(PEOPLE, "(objectClass=inetOrgPerson)", "uid")
        .serviceAccount(TestDirectory.SERVICE_DN, TestDirectory.SERVICE_PASSWORD);
  }

  private static Optional<Account> login(LdapSettings settings, String user, String password)
      throws AuthenticationUnavailableException {
    try (LdapAuthenticator ldap = new LdapAuthenticator(settings)) {
      return ldap.authenticate(user, password.toCharArray());
    }
  }

  private static Account full(String name) {
    return new Account(name, "users/" + name, EnumSet.allOf(Permission.class));
  }

  @Test
  void dnTemplateBindAcceptsTheRightPassword() throws Exception {
    assertThat(login(plain().userDnTemplate(TEMPLATE).build(), "alice", password("alice")))
        .contains(full("alice"));
  }

  @Test
  void dnTemplateBindRefusesAWrongPassword() throws Exception {
    assertThat(login(plain().userDnTemplate(TEMPLATE).build(), "alice", "wrong")).isEmpty();
  }

  @Test
  void unknownUserIsRefused() throws Exception {
    assertThat(login(plain().userDnTemplate(TEMPLATE).build(), "nobody", "x")).isEmpty();
    assertThat(login(searching().build(), "nobody", "x")).isEmpty();
  }

  @Test
  void emptyPasswordIsRefusedRatherThanBoundAnonymously() throws Exception {
    assertThat(login(plain().userDnTemplate(TEMPLATE).build(), "alice", "")).isEmpty();
    assertThat(login(searching().build(), "alice", "")).isEmpty();
  }

  @Test
  void searchThenBindAcceptsTheRightPassword() throws Exception {
    assertThat(login(searching().build(), "alice", password("alice"))).contains(full("alice"));
  }

  @Test
  void searchThenBindRefusesAWrongPassword() throws Exception {
    assertThat(login(searching().build(), "alice", password("bob"))).isEmpty();
  }

  @Test
  void anonymousSearchThenBindReadsAsTheUser() throws Exception {
    LdapSettings settings =
        plain().userSearch(PEOPLE, "(objectClass=inetOrgPerson)", "uid").build();
    assertThat(login(settings, "alice", password("alice"))).contains(full("alice"));
  }

  @Test
  void loginNameTakesTheDirectorysSpelling() throws Exception {
    assertThat(login(searching().build(), "ALICE", password("alice"))).contains(full("alice"));
    assertThat(login(plain().userDnTemplate(TEMPLATE).build(), "Alice", password("alice")))
        .contains(full("alice"));
  }

  @Test
  void aNameTheDirectoryMatchesOnlyByIgnoringSpacesIsRefused() throws Exception {
    // Each variant would have a failure count of its own in the login throttle.
    assertThat(login(searching().build(), " alice", password("alice"))).isEmpty();
    assertThat(login(searching().build(), "alice  ", password("alice"))).isEmpty();
    assertThat(login(plain().userDnTemplate(TEMPLATE).build(), " alice", password("alice")))
        .isEmpty();
    assertThat(login(searching().build(), "alice", password("alice"))).contains(full("alice"));
  }

  @Test
  void memberOfTheAccessGroupIsAccepted() throws Exception {
    LdapSettings settings = searching().accessGroup(FTP_USERS).build();
    assertThat(login(settings, "alice", password("alice"))).contains(full("alice"));
  }

  @Test
  void userOutsideTheAccessGroupIsRefused() throws Exception {
    assertThat(login(searching().accessGroup(FTP_USERS).build(), "bob", password("bob"))).isEmpty();
    assertThat(
            login(
                plain().userDnTemplate(TEMPLATE).accessGroup(FTP_USERS).build(),
                "bob",
                password("bob")))
        .isEmpty();
  }

  @Test
  void homeAndPermissionsComeFromMappedAttributes() throws Exception {
    LdapSettings settings =
        searching()
            .homeAttribute("dropzoneHome")
            .permissionsAttribute("dropzonePermission")
            .build();
    assertThat(login(settings, "carol", password("carol")))
        .contains(new Account("carol", "teams/blue", EnumSet.of(Permission.LIST, Permission.READ)));
    // Without the attributes on the entry: default home and default permissions.
    assertThat(login(settings, "alice", password("alice"))).contains(full("alice"));
  }

  @Test
  void readOnlyGroupLimitsPermissionsToListAndRead() throws Exception {
    LdapSettings settings = searching().readOnlyGroup(READ_ONLY).build();
    assertThat(login(settings, "dave", password("dave")))
        .contains(new Account("dave", "users/dave", EnumSet.of(Permission.LIST, Permission.READ)));
    assertThat(login(settings, "alice", password("alice"))).contains(full("alice"));
  }

  @Test
  void homeAttributeLeavingTheTreeIsADirectoryErrorNotALogin() {
    LdapSettings settings = searching().homeAttribute("dropzoneHome").build();
    assertThatThrownBy(() -> login(settings, "eve", password("eve")))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("uid=eve")
        .hasMessageContaining("dropzoneHome");
  }

  @Test
  void filterInjectionInTheNameMatchesNobody() throws Exception {
    assertThat(login(searching().build(), "*)(uid=*", password("alice"))).isEmpty();
    assertThat(login(searching().build(), "*", password("alice"))).isEmpty();
  }

  @Test
  void dnInjectionInTheNameBindsNobodyElse() throws Exception {
    LdapSettings settings = plain().userDnTemplate(TEMPLATE).build();
    assertThat(login(settings, "*)(uid=*", password("alice"))).isEmpty();
    assertThat(login(settings, "alice,ou=people," + BASE, password("alice"))).isEmpty();
    assertThat(login(settings, "bob+uid=alice", password("alice"))).isEmpty();
  }

  @Test
  void wrongServiceAccountPasswordIsUnavailableNotAWrongLogin() {
    LdapSettings settings = searching().serviceAccount(TestDirectory.SERVICE_DN, "not-it").build();
    assertThatThrownBy(() -> login(settings, "alice", password("alice")))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("searching for 'alice'");
  }

  @Test
  void ldapsWithTheGeneratedCertificateTrusted() throws Exception {
    LdapSettings settings =
        searching()
            .port(directory.port("ldaps"))
            .tls(LdapTls.LDAPS)
            .trustedCertificates(trustedPem)
            .build();
    assertThat(login(settings, "alice", password("alice"))).contains(full("alice"));
  }

  @Test
  void ldapsWithAnUntrustedCertificateIsUnavailable() {
    LdapSettings settings =
        plain().userDnTemplate(TEMPLATE).port(directory.port("ldaps")).tls(LdapTls.LDAPS).build();
    assertThatThrownBy(() -> login(settings, "alice", password("alice")))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("cannot be trusted");
  }

  @Test
  void ldapsRefusesATrustedCertificateThatDoesNotNameTheHost() throws Exception {
    // By name: the SDK deems a loopback address matched by any certificate.
    LdapSettings.Builder settings =
        LdapSettings.builder("localhost")
            .userDnTemplate(TEMPLATE)
            .port(directory.port("ldaps-other-host"))
            .tls(LdapTls.LDAPS)
            .trustedCertificates(otherHostPem);
    assertThatThrownBy(() -> login(settings.build(), "alice", password("alice")))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("ldap.elsewhere.example");
    // The same trusted certificate is accepted once the name check is off: the name was the cause.
    assertThat(login(settings.verifyHostname(false).build(), "alice", password("alice")))
        .contains(full("alice"));
  }

  @Test
  void startTlsWithTheGeneratedCertificateTrusted() throws Exception {
    LdapSettings settings =
        searching()
            .port(directory.port("starttls"))
            .tls(LdapTls.STARTTLS)
            .trustedCertificates(trustedPem)
            .accessGroup(FTP_USERS)
            .build();
    assertThat(login(settings, "alice", password("alice"))).contains(full("alice"));
    assertThat(login(settings, "alice", "wrong")).isEmpty();
  }

  @Test
  void directoryDownIsUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    LdapSettings settings =
        searching().port(closedPort).connectTimeout(Duration.ofSeconds(2)).build();
    assertThatThrownBy(() -> login(settings, "alice", password("alice")))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("127.0.0.1:" + closedPort);
    LdapSettings direct =
        plain()
            .userDnTemplate(TEMPLATE)
            .port(closedPort)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    assertThatThrownBy(() -> login(direct, "alice", password("alice")))
        .isInstanceOf(AuthenticationUnavailableException.class);
  }

  @Test
  void concurrentLoginsShareASmallPool() throws Exception {
    LdapSettings settings = searching().accessGroup(FTP_USERS).maxConnections(2).build();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try (LdapAuthenticator ldap = new LdapAuthenticator(settings)) {
      List<Future<Optional<Account>>> accepted = new ArrayList<>();
      List<Future<Optional<Account>>> refused = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        accepted.add(
            threads.submit(() -> ldap.authenticate("alice", password("alice").toCharArray())));
        refused.add(threads.submit(() -> ldap.authenticate("bob", password("bob").toCharArray())));
      }
      for (Future<Optional<Account>> result : accepted) {
        assertThat(result.get(30, TimeUnit.SECONDS)).contains(full("alice"));
      }
      for (Future<Optional<Account>> result : refused) {
        assertThat(result.get(30, TimeUnit.SECONDS)).isEmpty();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void directoryThatNeverAnswersTimesOutAsUnavailable() throws Exception {
    // The kernel completes the TCP handshake from the backlog; nothing ever reads or replies.
    try (ServerSocket silent = new ServerSocket(0, 8, TestDirectory.loopback())) {
      LdapSettings settings =
          plain()
              .userDnTemplate(TEMPLATE)
              .port(silent.getLocalPort())
              .responseTimeout(Duration.ofMillis(300))
              .build();
      assertThatThrownBy(() -> login(settings, "alice", password("alice")))
          .isInstanceOf(AuthenticationUnavailableException.class)
          .hasMessageContaining("binding as uid=alice");
    }
  }

  @Test
  void serviceAccountPasswordNeverShowsInSettings() {
    assertThat(searching().build().toString()).doesNotContain(TestDirectory.SERVICE_PASSWORD);
  }
}
