package dev.dropzone.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

  @Test
  void plainNamesAreQuotedAsTheyAre() {
    assertThat(LogText.of("alice.smith-01")).isEqualTo("'alice.smith-01'");
    assertThat(LogText.of("Jürgen")).isEqualTo("'Jürgen'");
    assertThat(LogText.of(null)).isEqualTo("(none)");
  }

  @Test
  void charactersThatCouldForgeOrDisguiseALogLineAreEscaped() {
    assertThat(LogText.of("x\r\n2026-01-01 INFO Login of admin")).doesNotContain("\n", "\r");
    assertThat(LogText.of("a\nb\rc\td\\e")).isEqualTo("'a\\nb\\rc\\td\\\\e'");
    assertThat(LogText.of("\u001b[31mred")).isEqualTo("'\\u001b[31mred'");
    assertThat(LogText.of("evil\u202etxt.exe")).isEqualTo("'evil\\u202etxt.exe'");
    assertThat(LogText.of("line\u2028sep\u0085nel\u0000"))
        .isEqualTo("'line\\u2028sep\\u0085nel\\u0000'");
  }

  @Test
  void longInputIsCut() {
    String text = LogText.of("a".repeat(5000));
    assertThat(text).hasSize(LogText.MAX_CHARS + 2 + " (5000 chars)".length() + 1);
    assertThat(text).endsWith("'… (5000 chars)");
  }
}
