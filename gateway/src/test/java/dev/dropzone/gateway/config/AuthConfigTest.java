package dev.dropzone.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.auth.ldap.LdapTls;
import dev.dropzone.gateway.config.AuthSettings.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code auth} section: backend order, PAM and LDAP settings, and what bad values say. */
class AuthConfigTest {

  private static final String MINIMAL = "s3:\n  bucket: b\nkeys:\n  keysetFile: keyset.json\n";

  @TempDir Path dir;

  private GatewaySettings settings(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("dropzone.yaml");
    Files.writeString(file, MINIMAL + yaml);
    return new ConfigLoader().file(file).environment(env).settings(dir);
  }

  @Test
  void defaultIsTheUsersFileAlone() throws Exception {
    AuthSettings auth = settings("", Map.of()).auth();

    assertThat(auth.backends()).containsExactly(Backend.FILE);
    assertThat(auth.pam()).isNull();
    assertThat(auth.ldap()).isNull();
  }

  @Test
  void backendsKeepTheirOrderAndMapIntoLdapAndPamSettings() throws Exception {
    AuthSettings auth =
        settings(
                """
                auth:
                  backends: [ldap, file, pam]
                  pam:
                    service: dropzone-ftp
                    minUid: 2000
                    refusedShells: [/bin/false]
                    homePrefix: staff
                  ldap:
                    url: ldaps://ldap.example.com:1636
                    search:
                      baseDn: ou=people,dc=example,dc=com
                      bindDn: cn=ftp,dc=example,dc=com
                      bindPassword: s3cret
                    group:
                      baseDn: ou=groups,dc=example,dc=com
                      filter: (cn=ftpusers)
                    readOnlyGroup: (cn=auditors)
                    attributes:
                      home: ftpHome
                    poolSize: 3
                """,
                Map.of())
            .auth();

    assertThat(auth.backends()).containsExactly(Backend.LDAP, Backend.FILE, Backend.PAM);
    assertThat(auth.pam().service()).isEqualTo("dropzone-ftp");
    assertThat(auth.pam().minimumUid()).isEqualTo(2000);
    assertThat(auth.pam().refusedShells()).containsExactly("/bin/false");
    assertThat(auth.pam().homePrefix()).isEqualTo("staff");
    assertThat(auth.ldap().host()).isEqualTo("ldap.example.com");
    assertThat(auth.ldap().effectivePort()).isEqualTo(1636);
    assertThat(auth.ldap().tls()).isEqualTo(LdapTls.LDAPS);
    assertThat(auth.ldap().bindPassword()).isEqualTo("s3cret");
    assertThat(auth.ldap().accessGroup().filter()).isEqualTo("(cn=ftpusers)");
    assertThat(auth.ldap().readOnlyGroup().baseDn()).isEqualTo("ou=groups,dc=example,dc=com");
    assertThat(auth.ldap().homeAttribute()).isEqualTo("ftpHome");
    assertThat(auth.ldap().maxConnections()).isEqualTo(3);
    assertThat(auth.ldap().toString()).doesNotContain("s3cret");
  }

  @Test
  void environmentGivesBackendsCommaSeparatedAndPlainLdapDefaultsToStartTls() throws Exception {
    AuthSettings auth =
        settings(
                "",
                Map.of(
                    "DROPZONE_AUTH_BACKENDS", "ldap, file",
                    "DROPZONE_AUTH_LDAP_URL", "ldap://127.0.0.1",
                    "DROPZONE_AUTH_LDAP_USER_DN_TEMPLATE", "uid={0},ou=people,dc=example,dc=com"))
            .auth();

    assertThat(auth.backends()).containsExactly(Backend.LDAP, Backend.FILE);
    assertThat(auth.ldap().tls()).isEqualTo(LdapTls.STARTTLS);
    assertThat(auth.ldap().effectivePort()).isEqualTo(389);
  }

  @Test
  void everyProblemNamesItsKey() {
    assertThatThrownBy(
            () ->
                settings(
                    """
                    auth:
                      backends: [file, kerberos, file, ldap, pam]
                      pam:
                        minUid: 0
                      ldap:
                        url: http://ldap.example.com
                    """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.backends: 'kerberos' is not a backend; use file, pam or ldap")
        .hasMessageContaining("auth.backends: 'file' is listed more than once")
        .hasMessageContaining("auth.pam.minUid: '0' must be ≥ 1")
        .hasMessageContaining("auth.ldap.url: 'http://ldap.example.com' is not an LDAP URL");
  }

  @Test
  void ldapNeedsExactlyOneWayToFindUsersAndAWholeServiceAccount() {
    assertThatThrownBy(
            () -> settings("auth:\n  backends: [ldap]\n  ldap:\n    url: ldaps://h\n", Map.of()))
        .hasMessageContaining("auth.ldap.userDnTemplate: set either");
    assertThatThrownBy(
            () ->
                settings(
                    """
                    auth:
                      backends: [ldap]
                      ldap:
                        url: ldap://h
                        tls: ldaps
                        search:
                          baseDn: dc=example,dc=com
                          bindDn: cn=ftp,dc=example,dc=com
                    """,
                    Map.of()))
        .hasMessageContaining("auth.ldap.tls: 'ldaps' does not match the URL scheme ldap://");
    assertThatThrownBy(
            () ->
                settings(
                    """
                    auth:
                      backends: [ldap]
                      ldap:
                        url: ldap://h
                        search:
                          baseDn: dc=example,dc=com
                          bindDn: cn=ftp,dc=example,dc=com
                    """,
                    Map.of()))
        .hasMessageContaining("auth.ldap.search.bindPassword: is missing");
  }

  @Test
  void anEmptyBackendListIsRefused() {
    assertThatThrownBy(() -> settings("auth:\n  backends: []\n", Map.of()))
        .hasMessageContaining("auth.backends: must list at least one of file, pam, ldap");
  }

  @Test
  void theReadmeAuthenticationExamplesAreValid() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String section =
        readme.substring(readme.indexOf("## Authentication"), readme.indexOf("## Security notes"));
    Matcher m = Pattern.compile("```yaml\n(auth:.*?)```", Pattern.DOTALL).matcher(section);
    int examples = 0;
    while (m.find()) {
      examples++;
      try {
        settings(m.group(1), Map.of());
      } catch (ConfigException e) {
        // The example's CA bundle lives on the administrator's machine, not here.
        assertThat(e.problems()).as(m.group(1)).allMatch(p -> p.startsWith("auth.ldap.caBundle:"));
      }
    }
    assertThat(examples).isEqualTo(4);
  }

  @Test
  void listDefaultsAreDocumentedCommaSeparated() {
    assertThat(ConfigKeys.find("auth.backends").orElseThrow().defaultValue()).isEqualTo("file");
    assertThat(ConfigKeys.find("auth.pam.refusedShells").orElseThrow().defaultValue())
        .isEqualTo("/usr/sbin/nologin,/sbin/nologin,/bin/false,/usr/bin/false");
    assertThat(List.of(ConfigKeys.envName("auth.ldap.search.bindPassword")))
        .containsExactly("DROPZONE_AUTH_LDAP_SEARCH_BIND_PASSWORD");
  }
}
