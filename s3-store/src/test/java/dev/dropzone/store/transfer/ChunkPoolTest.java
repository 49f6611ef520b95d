package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The part buffer pool keeps what a steady load reuses and gives back, at its next trims, what a
 * burst left behind, so a gateway idle after many parallel uploads holds no parts.
 */
class ChunkPoolTest {

  @Test
  void chunksABurstLeftAreDroppedByTheSecondTrimAfterIt() {
    ChunkPool pool = new ChunkPool(64);
    giveBack(pool, takeMany(pool, 10));
    assertThat(pool.retained()).isEqualTo(10);

    // All ten were in use since the last trim (none was free at the burst's height).
    assertThat(pool.trim()).isZero();
    assertThat(pool.retained()).isEqualTo(10);
    // Nothing took any of them in the interval after.
    assertThat(pool.trim()).isEqualTo(10);
    assertThat(pool.retained()).isZero();
    assertThat(pool.peakInUse()).isEqualTo(10);
  }

  @Test
  void aSteadyLoadKeepsWhatItsBusiestMomentUsed() {
    ChunkPool pool = new ChunkPool(64);
    giveBack(pool, takeMany(pool, 10));
    pool.trim();
    for (int interval = 0; interval < 5; interval++) {
      for (int part = 0; part < 20; part++) {
        giveBack(pool, takeMany(pool, 3));
      }
      pool.trim();
    }
    // Three at a time were needed in every interval: three stay.
    assertThat(pool.retained()).isEqualTo(3);
    assertThat(pool.peakInUse()).isEqualTo(10);
    giveBack(pool, takeMany(pool, 3));
    assertThat(pool.peakInUse()).isEqualTo(10);
  }

  @Test
  void theRetentionCapStillHoldsBetweenTrims() {
    ChunkPool pool = new ChunkPool(4);
    giveBack(pool, takeMany(pool, 10));
    assertThat(pool.retained()).isEqualTo(4);
  }

  private static List<byte[]> takeMany(ChunkPool pool, int count) {
    List<byte[]> taken = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      taken.add(pool.take());
    }
    return taken;
  }

  private static void giveBack(ChunkPool pool, List<byte[]> chunks) {
    chunks.forEach(pool::give);
  }
}
