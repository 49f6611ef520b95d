package dev.dropzone.kek;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CipherWarmUpTest {

  @Test
  void warmingUpRoundTripsAesGcmAndReportsItsDuration() throws Exception {
    // The speed effect is measured by the benchmark (bench/), never asserted in a test.
    assertThat(CipherWarmUp.run()).isNotNegative();
  }
}
