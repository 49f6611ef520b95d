package dev.dropzone.store.transfer;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The PutObject of a file that fits in one part, sent before the last decision about it (is the
 * client still there?) with its final byte held back. S3 stores an object only once its whole body
 * has arrived, so nothing is visible until {@link #commit} lets the byte go, and {@link #abort}
 * cuts the request short so nothing ever is. The request and the decision then overlap: against a
 * real S3 endpoint, where a PutObject takes tens of milliseconds, the upload's settle wait no
 * longer adds to it.
 *
 * <p>A body held longer than {@code holdLimit} (a decision delayed by an overloaded gateway) is cut
 * short as well, so no server's idle timeout ever fails the upload: {@link #commit} then sends the
 * whole object again. The buffer is released once both the request and its caller are done with it.
 */
final class HeldPut {

  /** How long the last byte may wait before the request is cut and sent again at commit. */
  static final Duration HOLD_LIMIT = Duration.ofSeconds(5);

  private enum Gate {
    HELD,
    OPEN,
    CALLED_OFF,
    TOO_LATE
  }

  private final S3Client s3;
  private final PutObjectRequest request;
  private final String key;
  private final PartBuffer whole;

  /** {@link System#nanoTime()} when the request that stored the object was sent. */
  private volatile long sent = System.nanoTime();

  private final long holdLimitNanos;
  private final AtomicInteger holders = new AtomicInteger(2);
  private final AtomicBoolean callerDone = new AtomicBoolean();
  private Gate gate = Gate.HELD;
  private Future<PutObjectResponse> response;

  private HeldPut(S3Client s3, PutObjectRequest request, PartBuffer whole, Duration holdLimit) {
    this.s3 = s3;
    this.request = request;
    this.key = request.key();
    this.whole = whole;
    this.holdLimitNanos = holdLimit.toNanos();
  }

  /**
   * Starts sending {@code whole} on {@code executor}; the caller hands the buffer over, also when
   * this throws.
   */
  static HeldPut start(
      S3Client s3,
      PutObjectRequest request,
      PartBuffer whole,
      ExecutorService executor,
      Duration holdLimit)
      throws StoreException {
    if (whole.size() < 1) {
      whole.release();
      throw new IllegalArgumentException("an object body has at least its header");
    }
    HeldPut put = new HeldPut(s3, request, whole, holdLimit);
    StorageDeadline deadline = StorageDeadline.current();
    try {
      put.response = executor.submit(() -> put.send(deadline));
    } catch (RejectedExecutionException e) {
      whole.release();
      throw new StoreException(Reason.ABORTED, "The store is shutting down", e);
    }
    return put;
  }

  private PutObjectResponse send(StorageDeadline deadline) throws StoreException {
    try (StorageDeadline.Scope scope = StorageDeadline.adopt(deadline)) {
      if (gate() == Gate.CALLED_OFF) {
        throw calledOff();
      }
      RequestBody body =
          RequestBody.fromContentProvider(
              () -> new HeldTail(whole.stream(), whole.size()),
              whole.size(),
              EncryptedUpload.CONTENT_TYPE);
      sent = System.nanoTime();
      return s3.putObject(request, body);
    } finally {
      letGo();
    }
  }

  /** {@link System#nanoTime()} when the request that stored the object was sent. */
  long sent() {
    return sent;
  }

  /**
   * Lets the last byte go and waits for S3's answer: the object is visible once this returns. After
   * a failure the caller aborts.
   */
  PutObjectResponse commit() throws StoreException {
    if (!callerDone.compareAndSet(false, true)) {
      throw new StoreException(Reason.ABORTED, "Upload of " + key + " is no longer open");
    }
    try {
      Gate decided;
      synchronized (this) {
        if (gate == Gate.HELD) {
          gate = Gate.OPEN;
          notifyAll();
        }
        decided = gate;
      }
      if (decided == Gate.CALLED_OFF) {
        throw calledOff();
      }
      try {
        return response.get();
      } catch (ExecutionException e) {
        if (gate() == Gate.TOO_LATE) {
          // The request was cut before anything became visible: send the object now.
          return sendWhole();
        }
        if (e.getCause() instanceof StoreException failure) {
          throw failure;
        }
        if (e.getCause() instanceof SdkException sdk) {
          throw S3Errors.map(sdk, "store " + key);
        }
        throw new StoreException(
            Reason.STORAGE_UNAVAILABLE,
            "Upload of " + key + " failed: " + e.getCause().getMessage(),
            e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        callOff();
        throw new StoreException(Reason.ABORTED, "Upload of " + key + " interrupted", e);
      } catch (CancellationException e) {
        throw calledOff();
      }
    } finally {
      letGo();
    }
  }

  private PutObjectResponse sendWhole() throws StoreException {
    try {
      sent = System.nanoTime();
      return s3.putObject(request, whole.body());
    } catch (SdkException e) {
      throw S3Errors.map(e, "store " + key);
    }
  }

  /**
   * Cuts the request short so the object never appears; idempotent, and too late once {@link
   * #commit} has let the last byte go. Does not wait for the request to end.
   */
  void abort() {
    callOff();
    if (callerDone.compareAndSet(false, true)) {
      letGo();
    }
  }

  private synchronized void callOff() {
    if (gate == Gate.HELD || gate == Gate.TOO_LATE) {
      gate = Gate.CALLED_OFF;
      notifyAll();
    }
  }

  private synchronized Gate gate() {
    return gate;
  }

  /** The request and the caller each let go once; the second one returns the buffer. */
  private void letGo() {
    if (holders.decrementAndGet() == 0) {
      whole.release();
    }
  }

  private StoreException calledOff() {
    return new StoreException(Reason.ABORTED, "Upload of " + key + " was aborted");
  }

  /**
   * Waits at the body's last byte until the gate is decided. Cutting the request throws an
   * unchecked exception on purpose: the SDK retries a request whose body threw an IOException, and
   * a called-off body must not be sent again.
   */
  private final class HeldTail extends FilterInputStream {

    private long left;

    HeldTail(InputStream in, long length) {
      super(in);
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (left == 1) {
        awaitGate();
      }
      int wanted = left > 1 ? (int) Math.min(len, left - 1) : len;
      int n = super.read(b, off, wanted);
      if (n > 0) {
        left -= n;
      }
      return n;
    }

    @Override
    public long skip(long count) throws IOException {
      // Through read, so skipping cannot pass the held byte either.
      int n = read(new byte[(int) Math.min(Math.max(count, 0), 8192)]);
      return Math.max(n, 0);
    }

    private void awaitGate() {
      long until = System.nanoTime() + holdLimitNanos;
      synchronized (HeldPut.this) {
        try {
          while (gate == Gate.HELD) {
            long wait = until - System.nanoTime();
            if (wait <= 0) {
              gate = Gate.TOO_LATE;
              break;
            }
            HeldPut.this.wait(Math.max(1, wait / 1_000_000));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BodyCut("interrupted while holding the last byte of " + key);
        }
        if (gate != Gate.OPEN) {
          throw new BodyCut(
              "upload of " + key + " " + gate.name().toLowerCase(Locale.ROOT) + "; not sent");
        }
      }
    }
  }

  /** Ends a held request without the SDK retrying it. */
  private static final class BodyCut extends IllegalStateException {
    BodyCut(String message) {
      super(message);
    }
  }
}
