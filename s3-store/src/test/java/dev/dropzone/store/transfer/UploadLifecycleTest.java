package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.testing.FaultyTcpProxy;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/** Nothing is visible before commit, nothing is left behind by abort, failures are not lost. */
class UploadLifecycleTest {

  private static final PlaintextPattern PATTERN = new PlaintextPattern(5);
  private static TransferTestBed bed;

  @BeforeAll
  static void start() throws Exception {
    bed = TransferTestBed.inMemory();
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  @AfterEach
  void noUploadIsLeftPendingAndNoMemoryStaysReserved() {
    assertThat(bed.pendingUploads()).isEmpty();
    PartBufferBudget budget = bed.transfers.budget();
    assertThat(budget.availableChunks()).isEqualTo(budget.totalChunks());
  }

  @Test
  void abortAfterTwentyMibLeavesNeitherObjectNorUpload() throws Exception {
    String key = bed.key("aborted");
    Upload upload = bed.openWrite(key, 0);
    TransferTestBed.copy(PATTERN.stream(0, 20 << 20), upload.stream());
    assertThat(bed.pendingUploads()).extracting(MultipartUpload::key).containsExactly(key);

    upload.abort();
    upload.abort();

    assertNotFound(() -> bed.openRead(key, 0));
    assertThat(bed.pendingUploads()).isEmpty();
  }

  @Test
  void anOverwrittenObjectStaysReadableUntilCommit() throws Exception {
    String key = bed.key("overwritten");
    PlaintextPattern old = new PlaintextPattern(1);
    bed.write(key, old, 1000);

    try (Upload upload = bed.openWrite(key, 0)) {
      TransferTestBed.copy(PATTERN.stream(0, 12 << 20), upload.stream());
      assertThat(bed.readSha256(key, 0)).isEqualTo(old.sha256(0, 1000));

      upload.commit();
    }

    assertThat(bed.readSha256(key, 0)).isEqualTo(PATTERN.sha256(0, 12 << 20));
  }

  @Test
  void closingTheStreamDoesNotCommit() throws Exception {
    String key = bed.key("closed-not-committed");
    try (Upload upload = bed.openWrite(key, 0)) {
      try (OutputStream out = upload.stream()) {
        TransferTestBed.copy(PATTERN.stream(0, 7 << 20), out);
      }
      assertThatThrownBy(() -> upload.stream().write(1)).isInstanceOf(IOException.class);
    }

    assertNotFound(() -> bed.openRead(key, 0));
  }

  @Test
  void commitIsFinalAndCountsWhatWasWritten() throws Exception {
    String key = bed.key("committed");
    Upload upload = bed.openWrite(key, 0);
    TransferTestBed.copy(PATTERN.stream(0, 54_321), upload.stream());
    upload.commit();
    upload.commit();
    upload.abort();

    assertThat(upload.bytesWritten()).isEqualTo(54_321);
    assertThat(bed.readSha256(key, 0)).isEqualTo(PATTERN.sha256(0, 54_321));
    assertThatThrownBy(() -> upload.stream().write(1))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABORTED));
  }

  @Test
  void aPartThatFailsIsReportedAndNothingIsStored() throws Exception {
    String key = bed.key("part-fails");
    Upload upload = bed.openWrite(key, 0);
    TransferTestBed.copy(PATTERN.stream(0, 12 << 20), upload.stream());
    // Someone else aborts the multipart upload: S3 then refuses later parts (NoSuchUpload), S3Proxy
    // accepts them and refuses the completion (InvalidPart).
    for (MultipartUpload pending : bed.pendingUploads()) {
      bed.s3.abortMultipartUpload(
          b -> b.bucket(bed.settings.bucket()).key(pending.key()).uploadId(pending.uploadId()));
    }

    assertThatThrownBy(
            () -> {
              TransferTestBed.copy(PATTERN.stream(0, 12 << 20), upload.stream());
              upload.commit();
            })
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("part-fails");

    assertNotFound(() -> bed.openRead(key, 0));
  }

  @Test
  void storageGoingAwayMidUploadFailsTheUpload() throws Exception {
    S3ProxyFixture server = S3ProxyFixture.inMemory();
    // Through a proxy that resets every connection and stops listening: a stopping S3Proxy may
    // leave a part's request body unread for minutes, which no client-side deadline bounds here.
    FaultyTcpProxy network = FaultyTcpProxy.inFrontOf(server.endpoint());
    try (network;
        TransferTestBed own =
            TransferTestBed.on(
                server,
                s ->
                    S3Settings.of(
                            network.endpoint(),
                            S3ProxyFixture.REGION,
                            S3ProxyFixture.ACCESS_KEY,
                            S3ProxyFixture.SECRET_KEY,
                            s.bucket(),
                            s.prefix())
                        .withPartSize(s.partSize()))) {
      Upload upload = own.openWrite(own.key("cut"), 0);
      TransferTestBed.copy(PATTERN.stream(0, 12 << 20), upload.stream());

      network.close();

      assertThatThrownBy(
              () -> {
                TransferTestBed.copy(PATTERN.stream(0, 12 << 20), upload.stream());
                upload.commit();
              })
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.STORAGE_UNAVAILABLE))
          .hasMessageContaining("try again later");
      upload.abort();
    }
  }

  @Test
  void aWriterWaitsWhenPartsInFlightAreFullSoMemoryStaysBounded() throws Exception {
    try (TransferTestBed own = TransferTestBed.inMemory()) {
      String key = own.key("bounded");
      long size = 64 << 20;
      own.partGate.close();
      AtomicReference<Throwable> writerFailure = new AtomicReference<>();
      Thread writer =
          new Thread(
              () -> {
                try {
                  own.write(key, PATTERN, size);
                } catch (Throwable e) {
                  writerFailure.set(e);
                }
              });
      writer.start();

      int inFlight = own.settings.partsInFlight();
      // Parts are stuck on the wire and the writer is parked: it must be waiting for a slot, not
      // buffering the rest of the file.
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  own.partGate.held() == inFlight
                      && writer.getState() == Thread.State.TIMED_WAITING);
      long chunksPerPart = TransferTestBed.PART / ChunkPool.CHUNK_BYTES;
      assertThat(own.transfers.pool().peakInUse())
          .isLessThanOrEqualTo((inFlight + 1) * chunksPerPart);

      own.partGate.open();
      writer.join();
      assertThat(writerFailure.get()).isNull();
      assertThat(own.transfers.pool().peakInUse())
          .isLessThanOrEqualTo((inFlight + 1) * chunksPerPart);
      assertThat(own.readSha256(key, 0)).isEqualTo(PATTERN.sha256(0, size));
    }
  }

  @Test
  void abortFromAnotherThreadReleasesAWriterWaitingForASlot() throws Exception {
    try (TransferTestBed own = TransferTestBed.inMemory()) {
      String key = own.key("aborted-while-waiting");
      Upload upload = own.openWrite(key, 0);
      own.partGate.close();
      AtomicReference<Throwable> writerFailure = new AtomicReference<>();
      Thread writer =
          new Thread(
              () -> {
                try {
                  TransferTestBed.copy(PATTERN.stream(0, 64 << 20), upload.stream());
                } catch (Throwable e) {
                  writerFailure.set(e);
                }
              });
      writer.start();
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  own.partGate.held() == own.settings.partsInFlight()
                      && writer.getState() == Thread.State.TIMED_WAITING);

      // A disconnect aborts from another thread while parts are still on the wire.
      Thread aborter = new Thread(upload::abort);
      aborter.start();
      // Parked means it has marked the upload aborted and waits for the parts on the wire.
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> aborter.getState() == Thread.State.TIMED_WAITING);
      own.partGate.open();
      aborter.join();
      writer.join();

      assertThat(writerFailure.get())
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABORTED));
      assertThat(own.pendingUploads()).isEmpty();
      assertNotFound(() -> own.openRead(key, 0));
      PartBufferBudget budget = own.transfers.budget();
      assertThat(budget.availableChunks()).isEqualTo(budget.totalChunks());
    }
  }

  @ParameterizedTest
  @CsvSource({
    "UNAVAILABLE, KEY_SERVICE_UNAVAILABLE, Key service unavailable, try again later",
    "REJECTED, KEY_REJECTED, The key service refused",
    "INVALID, INTEGRITY, integrity check failed"
  })
  void keyServiceFailuresHaveTheirOwnReasons(Failure failure, Reason reason, String message)
      throws Exception {
    String key = bed.key("keys-" + failure);
    bed.write(key, PATTERN, 3 << 20);
    FailingKeys keys = new FailingKeys(failure);

    for (ThrowingCallable call :
        new ThrowingCallable[] {
          () -> bed.transfers.openWrite(bed.key("new"), "new", bed.session(keys), 0),
          () -> bed.transfers.openRead(key, bed.path(key), bed.session(keys), 0),
          () -> bed.transfers.openRead(key, bed.path(key), bed.session(keys), 2 << 20)
        }) {
      assertThatThrownBy(call)
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(reason))
          .hasMessageContaining(message);
    }
  }

  private static void assertNotFound(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
  }
}
