package dev.dropzone.gateway.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A directory that answers at most one entry per search: when it cuts the group search short, the
 * result says nothing about membership, so the login is unavailable, never let in.
 */
class LdapGroupSizeLimitTest {

  private static TestDirectory directory;
  private static LdapAuthenticator ldap;

  @BeforeAll
  static void start() throws Exception {
    directory =
        TestDirectory.create(1)
            .person("alice")
            .person("bob")
            .group("ftp-a", "alice")
            .group("ftp-b", "alice")
            .start();
    ldap =
        new LdapAuthenticator(
            directory
                .plain()
                .accessGroup(
                    new LdapGroup(
                        TestDirectory.GROUPS,
                        "(&(objectClass=groupOfNames)(|(cn=ftp-a)(cn=ftp-b)))",
                        "member"))
                .build());
  }

  @AfterAll
  static void stop() {
    if (ldap != null) {
      ldap.close();
    }
    if (directory != null) {
      directory.close();
    }
  }

  @Test
  void aGroupSearchCutShortByTheDirectorysSizeLimitIsNotMembership() {
    assertThatThrownBy(
            () -> ldap.authenticate("alice", TestDirectory.password("alice").toCharArray()))
        .isInstanceOf(AuthenticationUnavailableException.class)
        .hasMessageContaining("size limit");
  }

  @Test
  void aUserInNoMatchingGroupIsRefused() throws Exception {
    assertThat(ldap.authenticate("bob", TestDirectory.password("bob").toCharArray())).isEmpty();
  }
}
