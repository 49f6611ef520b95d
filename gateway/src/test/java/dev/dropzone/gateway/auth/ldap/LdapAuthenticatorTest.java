package dev.dropzone.gateway.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.Permission;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against UnboundID's in-memory directory: a real LDAP server on 127.0.0.1. */
class LdapAuthenticatorTest {

  private static final String BASE = "dc=example,dc=com";
  private static final String PEOPLE = "ou=people," + BASE;
  private static final String GROUPS = "ou=groups," + BASE;
  private static final String TEMPLATE = "uid={0}," + PEOPLE;
  private static final String SERVICE_DN = "cn=svc," + BASE;
  private static final String SERVICE_PASSWORD = "svc-secret";
  private static final LdapGroup FTP_USERS = LdapGroup.named(GROUPS, "ftpusers");
  private static final LdapGroup READ_ONLY = LdapGroup.named(GROUPS, "readonly");

  @TempDir static Path tmp;
  private static InMemoryDirectoryServer server;
  private static Path trustedPem;
  private static Path otherHostPem;

  @BeforeAll
  static void startDirectory() throws Exception {
    TestCertificate certificate = TestCertificate.forLoopback("ldap-test");
    SSLContext tls = certificate.serverContext();
    trustedPem = certificate.writePem(tmp.resolve("ldap-ca.pem"));
    TestCertificate otherHost =
        TestCertificate.issue(
            "ldap-other", new GeneralName(GeneralName.dNSName, "ldap.elsewhere.example"));
    otherHostPem = otherHost.writePem(tmp.resolve("ldap-other-ca.pem"));
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
    // The home and permission attributes are Dropzone's own, not in the standard schema.
    config.setSchema(null);
    config.setListenerConfigs(
        InMemoryListenerConfig.createLDAPConfig("ldap", loopback, 0, null),
        InMemoryListenerConfig.createLDAPSConfig(
            "ldaps", loopback, 0, tls.getServerSocketFactory(), null),
        InMemoryListenerConfig.createLDAPConfig("starttls", loopback, 0, tls.getSocketFactory()),
        InMemoryListenerConfig.createLDAPSConfig(
            "ldaps-other-host",
            loopback,
            0,
            otherHost.serverContext().getServerSocketFactory(),
            null));
    server = new InMemoryDirectoryServer(config);
    server.add("dn: " + BASE, "objectClass: domain", "dc: example");
    server.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
    server.add("dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups");
    server.add(
        "dn: " + SERVICE_DN,
        "objectClass: person",
        "cn: svc",
        "sn: svc",
        "userPassword: " + SERVICE_PASSWORD);
    person("alice");
    person("bob");
    person(
        "carol",
        "dropzoneHome: teams/blue",
        "dropzonePermission: list",
        "dropzonePermission: READ");
    person("dave");
    person("eve", "dropzoneHome: ../../outside");
    group("ftpusers", "alice", "carol", "dave", "eve");
    group("readonly", "dave");
    server.startListening();
  }

  private static void person(String uid, String... extra) throws Exception {
    String[] lines = new String[6 + extra.length];
    lines[0] = "dn: uid=" + uid + "," + PEOPLE;
    lines[1] = "objectClass: inetOrgPerson";
    lines[2] = "uid: " + uid;
    lines[3] = "cn: " + uid;
    lines[4] = "sn: " + uid;
    lines[5] = "userPassword: " + password(uid);
    System.arraycopy(extra, 0, lines, 6, extra.length);
    server.add(lines);
  }

  private static void group(String cn, String... members) throws Exception {
    String[] lines = new String[3 + members.length];
    lines[0] = "dn: cn=" + cn + "," + GROUPS;
    lines[1] = "objectClass: groupOfNames";
    lines[2] = "cn: " + cn;
    for (int i = 0; i < members.length; i++) {
      lines[3 + i] = "member: uid=" + members[i] + "," + PEOPLE;
    }
    server.add(lines);
  }

  private static String password(String uid) {
    return uid + "-pw!";
  }

  @AfterAll
  static void stopDirectory() {
    if (server != null) {
      server.shutDown(true);
    }
  }

  private static LdapSettings.Builder plain() {
    return LdapSettings.builder("127.0.0.1").port(server.getListenPort("ldap")).tls(LdapTls.NONE);
  }

  private static LdapSettings.Builder searching() {
    return plain()
        .userSearch(PEOPLE, "(objectClass=inetOrgPerson)", "uid")
        .serviceAccount(SERVICE_DN, SERVICE_PASSWORD);
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
    LdapSettings settings = searching().serviceAccount(SERVICE_DN, "not-it").build();
    assertThatThrownBy(() -> login(settings, "alice", password("alice")))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("searching for 'alice'");
  }

  @Test
  void ldapsWithTheGeneratedCertificateTrusted() throws Exception {
    LdapSettings settings =
        searching()
            .port(server.getListenPort("ldaps"))
            .tls(LdapTls.LDAPS)
            .trustedCertificates(trustedPem)
            .build();
    assertThat(login(settings, "alice", password("alice"))).contains(full("alice"));
  }

  @Test
  void ldapsWithAnUntrustedCertificateIsUnavailable() {
    LdapSettings settings =
        plain()
            .userDnTemplate(TEMPLATE)
            .port(server.getListenPort("ldaps"))
            .tls(LdapTls.LDAPS)
            .build();
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
            .port(server.getListenPort("ldaps-other-host"))
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
            .port(server.getListenPort("starttls"))
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
  void serviceAccountPasswordNeverShowsInSettings() {
    assertThat(searching().build().toString()).doesNotContain(SERVICE_PASSWORD);
  }
}
