package dev.dropzone.gateway.ftp.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BulkCopyTest {

  @Test
  void binaryTransfersReachMinasDataSocket() {
    // Fails after a MINA upgrade that renames the field: transfers would still work, through
    // MINA's slower loop, so only this test notices.
    assertThat(BulkCopy.available()).isTrue();
  }
}
