package dev.dropzone.store.tree;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.s3.StorageDeadline;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run a tree's S3 requests beside the caller's own work: the checks before a new
 * file may become visible (is the target a directory, does its parent exist) while the file's data
 * already streams (see {@link CheckedUpload}), and the next page of a listing while the current one
 * is being sent (see {@link DirectoryListing}), and the HEADs that find listed files' recorded
 * times, whose results it remembers ({@link RecordedTimes}). One per store, shared by all its
 * trees, closed with the store.
 *
 * <p>As many threads as the S3 client has connections, since each request holds one; more requests
 * than that wait in the queue instead of being refused under load.
 */
public final class TreeRequests implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TreeRequests.class);

  /** One check; fails with the exception the client should see. */
  @FunctionalInterface
  interface Check {
    void run() throws StoreException;
  }

  /** One request with a result. */
  @FunctionalInterface
  interface Request<T> {
    T run() throws StoreException;
  }

  private final ThreadPoolExecutor executor;
  private final RecordedTimes times;
  private final KnownDirectories directories = new KnownDirectories();
  private final RecentWrites recentWrites = new RecentWrites();

  /**
   * @param threads at most this many checks run at once (the S3 client's connection pool)
   */
  public TreeRequests(int threads) {
    this(threads, Clock.systemUTC());
  }

  /**
   * @param clock tells when a listed object is old enough that its recorded time may be remembered
   */
  TreeRequests(int threads, Clock clock) {
    this.times = new RecordedTimes(clock);
    AtomicInteger counter = new AtomicInteger();
    executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread thread = new Thread(task, "dz-tree-request-" + counter.incrementAndGet());
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
    return supply(
        () -> {
          check.run();
          return null;
        });
  }

  /**
   * Starts {@code request}; the future completes with its result, or exceptionally with its
   * failure.
   *
   * @throws StoreException ABORTED when the store is shutting down
   */
  <T> CompletableFuture<T> supply(Request<T> request) throws StoreException {
    // The request works for the caller's command: it runs under the caller's deadline.
    Running<T> running = new Running<>(request, StorageDeadline.current());
    try {
      executor.execute(running);
    } catch (RejectedExecutionException e) {
      throw shuttingDown(e);
    }
    return running.result;
  }

  /** The recorded times listings found, shared by the store's trees like the threads. */
  RecordedTimes times() {
    return times;
  }

  /** The directories the store's trees saw a moment ago, shared like the threads. */
  KnownDirectories directories() {
    return directories;
  }

  /** The objects the store's trees wrote a moment ago. */
  RecentWrites recentWrites() {
    return recentWrites;
  }

  /** Lets running checks finish (each is a LIST or two), then stops the threads. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Upload checks and listings still running at shutdown were cancelled; they fail");
        cancelAll();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancelAll();
    }
  }

  private void cancelAll() {
    for (Runnable queued : executor.shutdownNow()) {
      // A request that never ran must still wake whoever waits for it.
      ((Running<?>) queued).result.completeExceptionally(shuttingDown(null));
    }
  }

  private static StoreException shuttingDown(Throwable cause) {
    return new StoreException(Reason.ABORTED, "The store is shutting down", cause);
  }

  /** A request and the future its caller waits on. */
  private static final class Running<T> implements Runnable {

    private final Request<T> request;
    private final StorageDeadline deadline;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    Running(Request<T> request, StorageDeadline deadline) {
      this.request = request;
      this.deadline = deadline;
    }

    @Override
    public void run() {
      try (StorageDeadline.Scope scope = StorageDeadline.adopt(deadline)) {
        result.complete(request.run());
      } catch (Throwable e) {
        // Whatever happened, the caller waiting for this result must wake up.
        result.completeExceptionally(e);
      }
    }
  }
}
