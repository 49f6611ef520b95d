package dev.dropzone.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BearerTokenTest {

  private static final String TOKEN = "s3cr3t-admin-token-0123";

  @Test
  void acceptsExactlyTheTokenUnderTheBearerScheme() {
    BearerToken token = BearerToken.of(TOKEN);

    assertThat(token.acceptsHeader("Bearer " + TOKEN)).isTrue();
    assertThat(token.acceptsHeader("bearer " + TOKEN))
        .as("the scheme is case-insensitive")
        .isTrue();
    assertThat(token.acceptsHeader(null)).isFalse();
    assertThat(token.acceptsHeader("")).isFalse();
    assertThat(token.acceptsHeader("Bearer ")).isFalse();
    assertThat(token.acceptsHeader("Bearer " + TOKEN + "x")).isFalse();
    assertThat(token.acceptsHeader("Bearer " + TOKEN.substring(1))).isFalse();
    assertThat(token.acceptsHeader("Basic " + TOKEN)).isFalse();
    assertThat(token.acceptsHeader(TOKEN)).isFalse();
  }

  @Test
  void refusesTokensThatAreShortOrCannotTravelInAHeaderWithoutRepeatingThem() {
    assertThatThrownBy(() -> BearerToken.of("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 16")
        .hasMessageNotContaining("short");
    assertThatThrownBy(() -> BearerToken.of("has a space in the middle"))
        .hasMessageContaining("visible ASCII");
    assertThatThrownBy(() -> BearerToken.of("line-break-inside\nthe-token"))
        .hasMessageContaining("visible ASCII");
  }

  @Test
  void neverPrintsTheToken() {
    assertThat(BearerToken.of(TOKEN).toString()).doesNotContain(TOKEN);
  }
}
