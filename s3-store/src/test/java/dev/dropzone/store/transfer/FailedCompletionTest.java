package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * S3 answers CompleteMultipartUpload with {@code 200} as soon as it starts, and reports a failure
 * in the body that follows. S3Proxy, when its storage fails while it completes, sends the {@code
 * 200} and the start of a result with no ETag and nothing after it. Taken for a success, the client
 * would be told its file was stored while no object exists and the multipart upload stays pending:
 * a soak run lost three confirmed files this way. Here the server's storage fails for real (a
 * jclouds store under S3Proxy that throws while completing), and the upload must fail, leaving
 * nothing.
 */
class FailedCompletionTest {

  private static final PlaintextPattern PATTERN = new PlaintextPattern(11);

  /**
   * @param failure what the store throws: S3Proxy cuts its answer short after a RuntimeException
   *     (the client cannot parse it), but answers a whole result without ETag after an Error
   */
  @ParameterizedTest
  @ValueSource(strings = {"Error", "RuntimeException"})
  void aCompletionTheServerDidNotFinishFailsAndLeavesNeitherObjectNorUpload(String failure)
      throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    Supplier<Throwable> thrown =
        failure.equals("Error")
            ? () -> new OutOfMemoryError("simulated: the storage ran out of memory completing")
            : () -> new IllegalStateException("simulated: the storage failed completing");
    try (TransferTestBed bed =
        TransferTestBed.on(
            S3ProxyFixture.inMemory(store -> failingCompletion(store, failing, thrown)))) {
      String key = bed.key("twelve-mib");
      Upload upload = bed.openWrite(key, 0);
      try {
        TransferTestBed.copy(PATTERN.stream(0, 12 << 20), upload.stream());
        assertThatThrownBy(upload::commit)
            .isInstanceOfSatisfying(
                StoreException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.STORAGE_UNAVAILABLE));
      } finally {
        upload.abort();
      }
      assertThat(bed.abortCount()).as("the upload was aborted").isEqualTo(1);
      assertThat(bed.transfers.multipartUploadsInFlight()).isZero();
      if (failure.equals("RuntimeException")) {
        assertThat(bed.pendingUploads()).isEmpty();
      }
      // After an Error S3Proxy has dropped its record of the upload but not the parts, and answers
      // the abort 404: a leftover of the server's own failure, which no client can remove.
      assertThatThrownBy(() -> bed.openRead(key, 0))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));

      // Sent again once the storage works, the file is stored whole.
      failing.set(false);
      bed.write(key, PATTERN, 12 << 20);
      assertThat(bed.readSha256(key, 0)).isEqualTo(PATTERN.sha256(0, 12 << 20));
    }
  }

  private static BlobStore failingCompletion(
      BlobStore store, AtomicBoolean failing, Supplier<Throwable> thrown) {
    return new ForwardingBlobStore(store) {
      @Override
      public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
        if (failing.get()) {
          Throwable failure = thrown.get();
          if (failure instanceof Error error) {
            throw error;
          }
          throw (RuntimeException) failure;
        }
        return super.completeMultipartUpload(upload, parts);
      }
    };
  }
}
