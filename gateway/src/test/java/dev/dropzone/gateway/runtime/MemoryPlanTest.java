package dev.dropzone.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.ftp.FtpSettings;
import dev.dropzone.store.S3Settings;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The heap is shared out at start, and a heap too small for the settings is refused. */
class MemoryPlanTest {

  private static final long MIB = 1 << 20;
  private static final FtpSettings.Transfers DEFAULTS = FtpSettings.Transfers.defaults();
  private static final S3Settings S3 =
      S3Settings.of(URI.create("http://127.0.0.1:9000"), "us-east-1", "id", "secret", "b", "p");

  @Test
  void aHeapTooSmallForTheTransfersIsRefusedWithWhatItNeeds() {
    assertThatThrownBy(() -> MemoryPlan.of(128 * MIB, DEFAULTS, S3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("heap of 128 MiB is too small")
        .hasMessageContaining("need 264 MiB")
        .hasMessageContaining("64 transfers ftp.maxTransfers allows")
        .hasMessageContaining("-Xmx264m")
        .hasMessageContaining("this heap fits 18");
  }

  @Test
  void fewerTransfersFitASmallHeap() {
    MemoryPlan plan = MemoryPlan.of(128 * MIB, transfers(16), S3);
    assertThat(plan.reserved()).isEqualTo(112 * MIB);
    assertThat(plan.partBufferBudget()).isEqualTo(16 * MIB);
    assertThat(plan.apply(S3).partBufferBudget()).isEqualTo(16 * MIB);
  }

  @Test
  void anEmptyBudgetGetsWhatIsLeftOrHalfTheHeap() {
    MemoryPlan image = MemoryPlan.of(384 * MIB, DEFAULTS, S3);
    assertThat(image.partBufferBudget()).isEqualTo(128 * MIB);
    assertThat(image.describe())
        .isEqualTo(
            "Heap 384 MiB: 64 MiB for the gateway, 192 MiB for transfers (64 × 3 MiB), 128 MiB"
                + " for part buffers (what the heap has left)");
    assertThat(MemoryPlan.of(1024 * MIB, DEFAULTS, S3).partBufferBudget()).isEqualTo(512 * MIB);
  }

  @Test
  void aConfiguredBudgetMustFitBesideTheTransfers() {
    S3Settings budgeted = S3.withPartBufferBudget(200 * MIB);
    assertThatThrownBy(() -> MemoryPlan.of(384 * MIB, DEFAULTS, budgeted))
        .hasMessageContaining("need 456 MiB")
        .hasMessageContaining("200 MiB for s3.partBufferBudget");
    assertThat(MemoryPlan.of(512 * MIB, DEFAULTS, budgeted).partBufferBudget())
        .isEqualTo(200 * MIB);
  }

  @Test
  void anUnlimitedHeapLeavesTheBudgetToTheStore() {
    MemoryPlan plan = MemoryPlan.of(Long.MAX_VALUE, DEFAULTS, S3);
    assertThat(plan.apply(S3)).isSameAs(S3);
  }

  private static FtpSettings.Transfers transfers(int max) {
    return new FtpSettings.Transfers(
        max, Duration.ofSeconds(60), DEFAULTS.modeZMaxRatio(), DEFAULTS.uploadSettleTime());
  }
}
