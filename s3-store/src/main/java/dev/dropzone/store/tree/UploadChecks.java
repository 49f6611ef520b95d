package dev.dropzone.store.tree;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run the checks before a new file may become visible (is the target a directory,
 * does its parent exist) while the file's data already streams; see {@link CheckedUpload}. One per
 * store, shared by all its trees, closed with the store.
 *
 * <p>As many threads as the S3 client has connections, since a check is one or two LISTs; more
 * checks than that wait in the queue instead of being refused under load.
 */
public final class UploadChecks implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UploadChecks.class);

  /** One check; fails with the exception the client should see. */
  @FunctionalInterface
  interface Check {
    void run() throws StoreException;
  }

  private final ThreadPoolExecutor executor;

  /**
   * @param threads at most this many checks run at once (the S3 client's connection pool)
   */
  public UploadChecks(int threads) {
    AtomicInteger counter = new AtomicInteger();
    executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread thread = new Thread(task, "dz-upload-check-" + counter.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    // Idle gateways should not keep a pool's worth of threads around.
    executor.allowCoreThreadTimeOut(true);
  }

  /**
   * Starts {@code check}; the future completes when it passed, or exceptionally with its failure.
   *
   * @throws StoreException ABORTED when the store is shutting down
   */
  CompletableFuture<Void> start(Check check) throws StoreException {
    Running running = new Running(check);
    try {
      executor.execute(running);
    } catch (RejectedExecutionException e) {
      throw shuttingDown(e);
    }
    return running.result;
  }

  /** Lets running checks finish (each is a LIST or two), then stops the threads. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Upload checks still running at shutdown were cancelled; their uploads fail");
        cancelAll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancelAll();
    }
  }

  private void cancelAll() {
    for (Runnable queued : executor.shutdownNow()) {
      // A check that never ran must still wake the commit that waits for it.
      ((Running) queued).result.completeExceptionally(shuttingDown(null));
    }
  }

  private static StoreException shuttingDown(Throwable cause) {
    return new StoreException(Reason.ABORTED, "The store is shutting down", cause);
  }

  /** A check and the future its upload waits on. */
  private static final class Running implements Runnable {

    private final Check check;
    private final CompletableFuture<Void> result = new CompletableFuture<>();

    Running(Check check) {
      this.check = check;
    }

    @Override
    public void run() {
      try {
        check.run();
        result.complete(null);
      } catch (Throwable e) {
        // Whatever happened, the commit waiting for this result must wake up.
        result.completeExceptionally(e);
      }
    }
  }
}
