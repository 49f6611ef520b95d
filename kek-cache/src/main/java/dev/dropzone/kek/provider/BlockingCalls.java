package dev.dropzone.kek.provider;

import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs a blocking key-service client (an SDK, a token) off the caller's thread, on a fixed pool
 * whose size is also the bound on concurrent requests to the service. Daemon threads, so an
 * unclosed service does not keep the JVM alive.
 */
public final class BlockingCalls implements AutoCloseable {

  private final ExecutorService pool;
  private final String closedReason;

  /**
   * @param threadPrefix names the threads, e.g. {@code dropzone-kms}
   * @param closedReason what a call after {@link #close} fails with, e.g. "the KMS client is
   *     closed"
   */
  public BlockingCalls(String threadPrefix, int threads, String closedReason) {
    AtomicInteger number = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            runnable -> {
              Thread thread = new Thread(runnable, threadPrefix + "-" + number.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.closedReason = closedReason;
  }

  /** {@code work} on the pool; UNAVAILABLE at once if this has been closed. */
  public <T> CompletableFuture<T> run(String operation, Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, pool);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(Failure.UNAVAILABLE, operation + ": " + closedReason));
    }
  }

  /** Lets calls already running finish; refuses new ones. */
  @Override
  public void close() {
    pool.shutdown();
  }
}
