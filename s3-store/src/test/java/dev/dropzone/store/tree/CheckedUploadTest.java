package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import dev.dropzone.store.transfer.ObjectTransfers;
import java.io.InputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An upload whose checks the test decides: real encrypted uploads to a real S3 server, with the
 * checks' result held back or failed at the moment each case needs.
 */
class CheckedUploadTest {

  private static final AtomicInteger FILES = new AtomicInteger();
  private static final VirtualPath FILE = path("/dir/file.bin");
  private static final StoreException MISSING_PARENT =
      new StoreException(
          Reason.NOT_FOUND, "Cannot store /dir/file.bin: parent directory /dir does not exist");

  private static S3ProxyFixture server;
  private static S3Settings settings;
  private static S3Client s3;
  private static ObjectTransfers transfers;

  private final TestKeys keys = new TestKeys();
  private final CompletableFuture<Void> checks = new CompletableFuture<>();
  private String key;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyFixture.inMemory();
    settings = server.bucket("checked", "").withPartSize(S3Settings.MIN_PART_SIZE);
    s3 = S3Clients.create(settings);
    transfers = new ObjectTransfers(s3, settings);
  }

  @AfterAll
  static void stopServer() throws Exception {
    transfers.close();
    s3.close();
    server.close();
  }

  @BeforeEach
  void freshKey() {
    key = "file" + FILES.incrementAndGet();
  }

  @AfterEach
  void noUploadIsLeftPending() {
    assertThat(s3.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads()).isEmpty();
  }

  @Test
  void writesGoOnWhileTheChecksRunAndCommitAfterTheyPass() throws Exception {
    Upload upload = open();
    byte[] content = random(6 << 20); // more than one part: the multipart upload has begun

    upload.stream().write(content);
    assertThat(pendingKeys()).containsExactly(key);
    checks.complete(null);
    upload.commit();

    assertThat(upload.bytesWritten()).isEqualTo(content.length);
    try (InputStream in = transfers.openRead(key, "f", keys.sessionOf("alice"), 0)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void commitWaitsForTheChecksAndRefusesWhenTheyFail() throws Exception {
    Upload upload = open();
    upload.stream().write(random(1000));

    Committer committer = new Committer(upload);
    committer.awaitWaiting();
    assertThat(stored()).isFalse();
    checks.completeExceptionally(MISSING_PARENT);

    assertSameFailure(committer.failure(), MISSING_PARENT);
    assertThat(stored()).isFalse();
  }

  @Test
  void theFirstWriteAfterTheChecksFailedAbortsTheUpload() throws Exception {
    Upload upload = open();
    upload.stream().write(random(6 << 20));
    assertThat(pendingKeys()).containsExactly(key);

    checks.completeExceptionally(MISSING_PARENT);

    assertFails(() -> upload.stream().write(1), Reason.NOT_FOUND)
        .hasMessage(MISSING_PARENT.getMessage());
    assertThat(pendingKeys()).isEmpty();
    assertFails(upload::commit, Reason.NOT_FOUND).hasMessage(MISSING_PARENT.getMessage());
    assertThat(stored()).isFalse();
  }

  @Test
  void anInterruptedWaitForTheChecksStoresNothing() throws Exception {
    Upload upload = open();
    upload.stream().write(random(6 << 20));

    Committer committer = new Committer(upload);
    committer.awaitWaiting();
    committer.thread.interrupt();

    Throwable failure = committer.failure();
    assertThat(failure)
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABORTED))
        .hasMessage("Upload of /dir/file.bin was interrupted; nothing was stored");
    assertThat(committer.interruptedAfterwards.get()).isTrue();
    assertThat(stored()).isFalse();
  }

  @Test
  void abortIsIdempotentAndDoesNotWaitForTheChecks() throws Exception {
    Upload upload = open();
    upload.stream().write(random(6 << 20));

    upload.abort();
    upload.abort();

    assertThat(pendingKeys()).isEmpty();
    checks.complete(null);
    assertFails(upload::commit, Reason.ABORTED);
    assertThat(stored()).isFalse();
  }

  @Test
  void whenOpeningFailsTheChecksFailureWinsAsItDidWhenTheyRanFirst() {
    StoreException keyServiceDown =
        new StoreException(Reason.KEY_SERVICE_UNAVAILABLE, "key service unavailable");
    CompletableFuture<Void> failed = CompletableFuture.failedFuture(MISSING_PARENT);
    CompletableFuture<Void> passed = CompletableFuture.completedFuture(null);

    assertSameFailure(
        catchThrowable(
            () ->
                CheckedUpload.open(
                    FILE,
                    failed,
                    () -> {
                      throw keyServiceDown;
                    })),
        MISSING_PARENT);
    assertThat(
            catchThrowable(
                () ->
                    CheckedUpload.open(
                        FILE,
                        passed,
                        () -> {
                          throw keyServiceDown;
                        })))
        .isSameAs(keyServiceDown);
  }

  @Test
  void aCheckThatBrokeUnexpectedlyIsAStorageFailure() throws Exception {
    Upload upload = open();
    checks.completeExceptionally(new IllegalStateException("connection pool shut down"));

    assertFails(upload::commit, Reason.STORAGE_UNAVAILABLE)
        .hasMessage("Could not check /dir/file.bin before storing it: connection pool shut down");
    assertThat(stored()).isFalse();
  }

  // ---- helpers

  /** Commits on its own thread, so the test can watch it wait for the checks. */
  private static final class Committer {

    final Thread thread;
    final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    final AtomicReference<Boolean> interruptedAfterwards = new AtomicReference<>();

    Committer(Upload upload) {
      thread =
          new Thread(
              () -> {
                try {
                  upload.commit();
                  outcome.complete(null);
                } catch (Throwable e) {
                  outcome.complete(e);
                } finally {
                  interruptedAfterwards.set(Thread.currentThread().isInterrupted());
                }
              },
              "committer");
      thread.start();
    }

    /** Until the commit blocks: waiting for the checks is the only wait on its path. */
    void awaitWaiting() {
      await().until(() -> thread.getState() == Thread.State.WAITING);
    }

    Throwable failure() throws Exception {
      thread.join();
      return outcome.get();
    }
  }

  private Upload open() throws Exception {
    return new CheckedUpload(
        FILE, transfers.openWrite(key, "f", keys.sessionOf("alice"), 0), checks);
  }

  private boolean stored() {
    return s3.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(key)).contents().stream()
        .map(S3Object::key)
        .anyMatch(key::equals);
  }

  private List<String> pendingKeys() {
    return s3.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads().stream()
        .map(MultipartUpload::key)
        .toList();
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  /** The check's reason and message, unchanged. */
  private static void assertSameFailure(Throwable actual, StoreException expected) {
    assertThat(actual)
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(expected.reason()))
        .hasMessage(expected.getMessage());
  }

  private static AbstractThrowableAssert<?, ?> assertFails(ThrowingCallable call, Reason reason) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  private static VirtualPath path(String p) {
    try {
      return VirtualPath.of(p);
    } catch (StoreException e) {
      throw new AssertionError(e);
    }
  }
}
