package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.s3.S3Clients;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A one-part upload's PutObject is sent by {@code prepareCommit} with its last byte held back
 * (HeldPut): the real S3 server (S3Proxy) must show nothing until commit, nothing ever after an
 * abort, and the SDK must not send a cut request again.
 */
class HeldPutTest {

  private static final PlaintextPattern PATTERN = new PlaintextPattern(11);

  /** Long enough for a request that was going to arrive to have arrived. */
  private static final Duration SETTLE = Duration.ofMillis(400);

  private static TransferTestBed bed;
  private static S3Client counted;
  private static final AtomicInteger putAttempts = new AtomicInteger();
  private static final ExecutorService executor = Executors.newFixedThreadPool(2);

  @BeforeAll
  static void start() throws Exception {
    bed = TransferTestBed.inMemory();
    counted =
        S3Clients.builder(bed.settings)
            .overrideConfiguration(c -> c.addExecutionInterceptor(new PutAttempts()))
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    executor.shutdownNow();
    counted.close();
    bed.close();
  }

  @AfterEach
  void everyBufferIsReturned() {
    PartBufferBudget budget = bed.transfers.budget();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> budget.availableChunks() == budget.totalChunks());
    assertThat(bed.pendingUploads()).isEmpty();
  }

  @Test
  void aPreparedUploadStaysInvisibleUntilCommit() throws Exception {
    String key = bed.key("held-then-committed");
    int size = 3 << 20;
    Upload upload = bed.openWrite(key, 0);
    TransferTestBed.copy(PATTERN.stream(0, size), upload.stream());

    upload.prepareCommit();
    Thread.sleep(SETTLE.toMillis());
    assertMissing(key);

    upload.commit();
    assertThat(bed.readSha256(key, 0)).isEqualTo(PATTERN.sha256(0, size));
    assertThat(upload.digest()).isPresent();
  }

  @Test
  void anAbortedPreparedUploadNeverAppears() throws Exception {
    String key = bed.key("held-then-aborted");
    Upload upload = bed.openWrite(key, 0);
    TransferTestBed.copy(PATTERN.stream(0, 200_000), upload.stream());
    upload.prepareCommit();
    Thread.sleep(50);

    upload.abort();
    upload.abort();
    Thread.sleep(SETTLE.toMillis());

    assertMissing(key);
    assertThatThrownBy(upload::commit).isInstanceOf(StoreException.class);
    assertMissing(key);
    // The store's client goes on working after a request it cut short.
    bed.write(key, PATTERN, 1000);
    assertThat(bed.readSha256(key, 0)).isEqualTo(PATTERN.sha256(0, 1000));
  }

  @Test
  void aCutRequestIsNotSentAgain() throws Exception {
    String key = bed.key("cut-once");
    HeldPut put = held(key, 100_000, HeldPut.HOLD_LIMIT);
    await().atMost(Duration.ofSeconds(10)).until(() -> putAttempts.get() == 1);

    put.abort();
    Thread.sleep(SETTLE.toMillis());

    assertThat(putAttempts.get()).isEqualTo(1);
    assertMissing(key);
    assertThatThrownBy(put::commit)
        .isInstanceOf(StoreException.class)
        .extracting(e -> ((StoreException) e).reason())
        .isEqualTo(Reason.ABORTED);
  }

  @Test
  void aBodyHeldPastItsLimitIsCutAndSentWholeAtCommit() throws Exception {
    String key = bed.key("held-too-long");
    byte[] body = PATTERN.slice(0, 100_000);
    HeldPut put = held(key, body, Duration.ofMillis(50));
    await().atMost(Duration.ofSeconds(10)).until(() -> putAttempts.get() == 1);
    Thread.sleep(SETTLE.toMillis());
    assertMissing(key);

    assertThat(put.commit().eTag()).isNotBlank();

    assertThat(putAttempts.get()).isEqualTo(2);
    byte[] stored =
        bed.s3
            .getObject(b -> b.bucket(bed.settings.bucket()).key(key), ResponseTransformer.toBytes())
            .asByteArray();
    assertThat(Arrays.equals(stored, body)).isTrue();
  }

  private HeldPut held(String key, int size, Duration limit) throws StoreException {
    return held(key, PATTERN.slice(0, size), limit);
  }

  private HeldPut held(String key, byte[] body, Duration limit) throws StoreException {
    putAttempts.set(0);
    PartBuffer buffer =
        new PartBuffer(bed.transfers.pool(), bed.transfers.budget(), body.length, () -> {}, key);
    buffer.write(body, 0, body.length);
    return HeldPut.start(
        counted,
        PutObjectRequest.builder().bucket(bed.settings.bucket()).key(key).build(),
        buffer,
        executor,
        limit);
  }

  private static void assertMissing(String key) {
    assertThatThrownBy(() -> bed.head(key)).isInstanceOf(NoSuchKeyException.class);
  }

  /** Counts PutObject attempts as they go out, retries included. */
  private static final class PutAttempts implements ExecutionInterceptor {
    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (context.request() instanceof PutObjectRequest) {
        putAttempts.incrementAndGet();
      }
    }
  }
}
