package dev.dropzone.gateway.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LdapSettingsTest {

  private static final String TEMPLATE = "uid={0},ou=people,dc=example,dc=com";

  @Test
  void defaultsAreStartTlsOnTheStandardPort() {
    LdapSettings settings =
        LdapSettings.builder("ldap.example.com").userDnTemplate(TEMPLATE).build();
    assertThat(settings.tls()).isEqualTo(LdapTls.STARTTLS);
    assertThat(settings.effectivePort()).isEqualTo(389);
    assertThat(settings.verifyHostname()).isTrue();
    assertThat(
            LdapSettings.builder("h")
                .userDnTemplate(TEMPLATE)
                .tls(LdapTls.LDAPS)
                .build()
                .effectivePort())
        .isEqualTo(636);
  }

  @Test
  void templateMustPutTheNameInTheFirstRdn() {
    assertThatThrownBy(
            () -> LdapSettings.builder("h").userDnTemplate("ou=people,dc=example,dc=com").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uid={0}");
    assertThatThrownBy(() -> LdapSettings.builder("h").userDnTemplate("cn=x{0},dc=com").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void exactlyOneWayToFindUsers() {
    assertThatThrownBy(() -> LdapSettings.builder("h").build())
        .hasMessageContaining("either a user DN template or a user search base");
    assertThatThrownBy(
            () ->
                LdapSettings.builder("h")
                    .userDnTemplate(TEMPLATE)
                    .userSearch("dc=example,dc=com", "(objectClass=person)", "uid")
                    .build())
        .hasMessageContaining("not both");
  }

  @Test
  void serviceAccountNeedsDnAndPassword() {
    assertThatThrownBy(
            () ->
                LdapSettings.builder("h")
                    .userDnTemplate(TEMPLATE)
                    .serviceAccount("cn=svc,dc=example,dc=com", null)
                    .build())
        .hasMessageContaining("both its DN and its password");
  }

  @Test
  void invalidFilterOrPrefixIsRefusedUpFront() {
    assertThatThrownBy(
            () -> LdapSettings.builder("h").userSearch("dc=example,dc=com", "(uid=", "uid").build())
        .hasMessageContaining("user search filter");
    assertThatThrownBy(
            () -> LdapSettings.builder("h").userDnTemplate(TEMPLATE).homePrefix("../up").build())
        .hasMessageContaining("home prefix");
  }
}
