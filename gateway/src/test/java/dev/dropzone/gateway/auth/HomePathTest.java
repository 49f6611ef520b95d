package dev.dropzone.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HomePathTest {

  @Test
  void plainNameBecomesOneSegmentUnderThePrefix() {
    assertThat(HomePath.under("users", "alice")).contains("users/alice");
    assertThat(HomePath.under("tenants/acme", "bob.smith")).contains("tenants/acme/bob.smith");
  }

  @Test
  void namesThatAreNotOneSegmentHaveNoHome() {
    assertThat(HomePath.under("users", "")).isEmpty();
    assertThat(HomePath.under("users", "..")).isEmpty();
    assertThat(HomePath.under("users", ".")).isEmpty();
    assertThat(HomePath.under("users", "a/b")).isEmpty();
    assertThat(HomePath.under("users", "alice\n")).isEmpty();
    assertThat(HomePath.under("users", "al\0ice")).isEmpty();
  }

  @Test
  void theReservedTreeIsNoHome() {
    assertThat(HomePath.under("", "alice")).contains("alice");
    assertThat(HomePath.under("", ".dropzone")).isEmpty();
    assertThatThrownBy(() -> HomePath.parse(".dropzone/keys"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void givenHomeIsNormalised() {
    assertThat(HomePath.parse("/teams//blue/")).isEqualTo("teams/blue");
  }

  @Test
  void givenHomeOutsideTheTreeOrAtItsRootIsRefused() {
    assertThatThrownBy(() -> HomePath.parse("../x")).hasMessageContaining("outside");
    assertThatThrownBy(() -> HomePath.parse("/")).hasMessageContaining("root");
    assertThatThrownBy(() -> HomePath.parse("")).hasMessageContaining("empty");
  }
}
