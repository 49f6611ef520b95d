package dev.dropzone.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AccountLimits;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.gateway.scan.ScanSettings.Fallback;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's own choice decides; without one, {@code scan.allUsers} does. */
class WhoIsScannedTest {

  @TempDir Path dir;

  @Test
  void everyoneUnlessSwitchedOff() {
    try (UploadScanning scanning = UploadScanning.start(settings(true))) {
      assertThat(scanning.appliesTo(account(null))).isTrue();
      assertThat(scanning.appliesTo(account(true))).isTrue();
      assertThat(scanning.appliesTo(account(false))).isFalse();
    }
  }

  @Test
  void onlyThoseSwitchedOn() {
    try (UploadScanning scanning = UploadScanning.start(settings(false))) {
      assertThat(scanning.appliesTo(account(null))).isFalse();
      assertThat(scanning.appliesTo(account(true))).isTrue();
      assertThat(scanning.appliesTo(account(false))).isFalse();
    }
  }

  @Test
  void nobodyWhenScanningIsOff() {
    assertThat(UploadScanning.OFF.appliesTo(account(true))).isFalse();
    assertThat(UploadScanning.OFF.appliesTo(account(null))).isFalse();
  }

  private ScanSettings settings(boolean allUsers) {
    // Nothing listens there: start() only logs that clamd does not answer yet.
    return new ScanSettings(
        ClamdAddress.parse("unix:" + dir.resolve("absent.sock")),
        1,
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        Fallback.REFUSE,
        1024,
        Fallback.REFUSE,
        allUsers);
  }

  private static Account account(Boolean scan) {
    return new Account("u", "users/u", EnumSet.allOf(Permission.class), AccountLimits.NONE, scan);
  }
}
