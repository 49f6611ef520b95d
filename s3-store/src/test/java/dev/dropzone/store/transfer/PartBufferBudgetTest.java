package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dropzone.store.PartBufferUse;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * All uploads of a process share one part buffer budget: beyond it they wait instead of exhausting
 * the heap, small files never wait, and an abort frees a waiting upload and returns its memory.
 * Parts are held at the client ({@link PartGate}) so uploads hold their budget for as long as the
 * test needs, without depending on timing.
 */
class PartBufferBudgetTest {

  private static final int PART = TransferTestBed.PART;
  private static final long MIB = 1L << 20;

  @Test
  void fourConcurrentUploadsShareABudgetOfThreeParts() throws Exception {
    try (TransferTestBed bed = TransferTestBed.inMemory(s -> s.withPartBufferBudget(3L * PART))) {
      PartBufferBudget budget = bed.transfers.budget();
      int uploads = 4;
      long size = 30 * MIB + 12_345;
      bed.partGate.close();
      List<Writer> writers = new ArrayList<>();
      for (int i = 0; i < uploads; i++) {
        String user = "user-" + i;
        String key = bed.settings.key("users/" + user + "/big");
        PlaintextPattern pattern = new PlaintextPattern(100 + i);
        writers.add(
            Writer.start(
                () -> {
                  try (Upload upload = bed.openWrite(key, 0)) {
                    TransferTestBed.copy(pattern.stream(0, size), upload.stream());
                    upload.commit();
                  }
                }));
      }

      // Parts are stuck on the wire: the budget runs out long before the uploads' own bounds do.
      await().atMost(Duration.ofMinutes(1)).until(() -> budget.waits() > 0);
      bed.partGate.open();
      for (Writer writer : writers) {
        writer.join();
        assertThat(writer.failure()).isNull();
      }

      for (int i = 0; i < uploads; i++) {
        String key = bed.settings.key("users/user-" + i + "/big");
        assertThat(bed.readSha256(key, 0)).isEqualTo(new PlaintextPattern(100 + i).sha256(0, size));
      }
      int buffersPerUpload = bed.settings.partsInFlight() + 1;
      assertThat(budget.peakReservedChunks()).isLessThanOrEqualTo(budget.totalChunks());
      // Reserved chunks plus each buffer's free first chunk; without the budget up to 400 chunks.
      assertThat(bed.transfers.pool().peakInUse())
          .isLessThanOrEqualTo(budget.totalChunks() + (long) uploads * buffersPerUpload);
      assertThat(budget.availableChunks()).isEqualTo(budget.totalChunks());
      assertThat(bed.pendingUploads()).isEmpty();
      PartBufferUse use = bed.transfers.partBufferUse();
      assertThat(use.budgetBytes()).isEqualTo(3L * PART);
      assertThat(use.peakReservedBytes())
          .isEqualTo(budget.peakReservedChunks() * ChunkPool.CHUNK_BYTES)
          .isPositive()
          .isLessThanOrEqualTo(use.budgetBytes());
      assertThat(use.waits()).isEqualTo(budget.waits()).isPositive();
    }
  }

  @Test
  void anUploadWaitingForBudgetIsFreedByAnAbortFromAnotherThread() throws Exception {
    try (TransferTestBed bed = TransferTestBed.inMemory(s -> s.withPartBufferBudget(PART))) {
      PartBufferBudget budget = bed.transfers.budget();
      String key = bed.key("waits-then-aborted");
      Upload upload = bed.openWrite(key, 0);
      bed.partGate.close();
      // The first part holds the whole budget on the wire; the second part's buffer must wait.
      Writer writer =
          Writer.start(
              () ->
                  TransferTestBed.copy(
                      new PlaintextPattern(7).stream(0, 12 * MIB), upload.stream()));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> budget.waits() == 1 && writer.state() == Thread.State.TIMED_WAITING);

      Writer aborter = Writer.start(upload::abort);
      // Freed while the part on the wire still holds its slot: the waiter does not wait for it.
      await().atMost(Duration.ofMinutes(1)).until(() -> writer.state() == Thread.State.TERMINATED);
      bed.partGate.open();
      aborter.join();

      assertThat(writer.failure())
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABORTED));
      assertThat(aborter.failure()).isNull();
      assertThat(bed.pendingUploads()).isEmpty();
      assertThatThrownBy(() -> bed.openRead(key, 0))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
      assertThat(budget.availableChunks()).isEqualTo(budget.totalChunks());
    }
  }

  @Test
  void smallFilesNeverWaitWhileALargeUploadHoldsTheBudget() throws Exception {
    try (TransferTestBed bed = TransferTestBed.inMemory(s -> s.withPartBufferBudget(PART))) {
      PartBufferBudget budget = bed.transfers.budget();
      PlaintextPattern pattern = new PlaintextPattern(11);
      String large = bed.key("large");
      long largeSize = 12 * MIB;
      bed.partGate.close();
      Writer writer = Writer.start(() -> bed.write(large, pattern, largeSize));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> budget.waits() == 1 && writer.state() == Thread.State.TIMED_WAITING);
      assertThat(budget.availableChunks()).isLessThan(budget.restOfPart(PART));

      // The largest plaintext whose ciphertext (plus 40 header and 16 tag bytes) is one chunk.
      long oneChunk = ChunkPool.CHUNK_BYTES - 56;
      for (long size : new long[] {0, 1, 64 << 10, oneChunk}) {
        bed.write(bed.key("small-" + size), pattern, size);
        assertThat(bed.readSha256(bed.key("small-" + size), 0)).isEqualTo(pattern.sha256(0, size));
      }
      assertThat(budget.waits()).isEqualTo(1);

      bed.partGate.open();
      writer.join();
      assertThat(writer.failure()).isNull();
      assertThat(bed.readSha256(large, 0)).isEqualTo(pattern.sha256(0, largeSize));
      assertThat(budget.availableChunks()).isEqualTo(budget.totalChunks());
    }
  }

  @Test
  void aConfiguredBudgetIsTakenAsIs() {
    S3Settings settings = settings(8 * MIB, 4).withPartBufferBudget(64 * MIB);

    assertThat(PartBufferBudget.size(settings, 96 * MIB).bytes()).isEqualTo(64 * MIB);
  }

  @Test
  void theDerivedBudgetIsHalfTheHeapButAtLeastOneUploadIfTheHeapAllowsAndAtLeastOnePart() {
    S3Settings settings = settings(8 * MIB, 4);

    // Half the heap covers one whole upload's 5 parts of 8 MiB.
    assertThat(PartBufferBudget.size(settings, 96 * MIB).bytes()).isEqualTo(48 * MIB);
    // Half is too little for one upload, three quarters is enough.
    assertThat(PartBufferBudget.size(settings, 64 * MIB).bytes()).isEqualTo(40 * MIB);
    // Not even three quarters are enough: half the heap.
    assertThat(PartBufferBudget.size(settings, 48 * MIB).bytes()).isEqualTo(24 * MIB);
    // Never below one part.
    assertThat(PartBufferBudget.size(settings, 12 * MIB).bytes()).isEqualTo(8 * MIB);
  }

  @Test
  void aPartLargerThanTheBudgetReservesTheWholeBudget() {
    PartBufferBudget budget = new PartBufferBudget(PART);

    assertThat(budget.restOfPart(PART)).isEqualTo(PART / ChunkPool.CHUNK_BYTES - 1);
    assertThat(budget.restOfPart(4L * PART)).isEqualTo(budget.totalChunks());
  }

  @Test
  void aBudgetBelowOnePartIsRefused() {
    S3Settings settings = settings(8 * MIB, 4);

    assertThatThrownBy(() -> settings.withPartBufferBudget(8 * MIB - 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("below one part");
  }

  private static S3Settings settings(long partSize, int partsInFlight) {
    return new S3Settings(
        URI.create("http://127.0.0.1:9"),
        "us-east-1",
        null,
        null,
        "bucket",
        "",
        true,
        (int) partSize,
        partsInFlight,
        8);
  }

  /** Work on its own thread, remembering how it ended. */
  private static final class Writer {

    interface Work {
      void run() throws Exception;
    }

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private Writer(Work work) {
      this.thread =
          new Thread(
              () -> {
                try {
                  work.run();
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
    }

    static Writer start(Work work) {
      Writer writer = new Writer(work);
      writer.thread.start();
      return writer;
    }

    Thread.State state() {
      return thread.getState();
    }

    void join() throws InterruptedException {
      thread.join();
    }

    Throwable failure() {
      return failure.get();
    }
  }
}
