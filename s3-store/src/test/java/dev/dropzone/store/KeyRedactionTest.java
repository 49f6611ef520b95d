package dev.dropzone.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyRedactionTest {

  private final KeyRedaction prefixed = new KeyRedaction("tenant/users/alice", "tenant");
  private final KeyRedaction bare = new KeyRedaction("users/alice", "");

  @Test
  void keysInTheHomeBecomeTheUsersPaths() {
    assertThat(prefixed.apply("Upload of tenant/users/alice/in/a.bin was aborted"))
        .isEqualTo("Upload of /in/a.bin was aborted");
    assertThat(prefixed.apply("'tenant/users/alice/x y.txt' ended after 10 bytes"))
        .isEqualTo("'/x y.txt' ended after 10 bytes");
    assertThat(prefixed.apply("tenant/users/alice: no such home")).isEqualTo("/: no such home");
    assertThat(bare.apply("read users/alice/report.pdf (HTTP 500)"))
        .isEqualTo("read /report.pdf (HTTP 500)");
  }

  @Test
  void otherKeysLoseThePrefix() {
    assertThat(prefixed.apply("key record tenant/.dropzone/keys/alice.json is damaged"))
        .isEqualTo("key record .dropzone/keys/alice.json is damaged");
  }

  @Test
  void pathsThatMerelyContainTheSameLettersStay() {
    assertThat(bare.apply("No such file or directory: /users/alice/x"))
        .isEqualTo("No such file or directory: /users/alice/x");
    assertThat(prefixed.apply("Already exists: /tenant/users/alice"))
        .isEqualTo("Already exists: /tenant/users/alice");
    assertThat(bare.apply("Already exists: /my-users/alicebeth"))
        .isEqualTo("Already exists: /my-users/alicebeth");
    assertThat(bare.apply("users/alicebeth/x")).isEqualTo("users/alicebeth/x");
  }
}
