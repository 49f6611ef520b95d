package dev.dropzone.gateway.admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The checks behind {@code /readyz}, each cached (see {@link CachedCheck}) and each given {@code
 * timeout}: a check that has not answered by then counts as failed, while it keeps running and its
 * result is used by later probes.
 */
public final class Readiness implements AutoCloseable {

  private final List<CachedCheck> checks = new CopyOnWriteArrayList<>();
  private final Duration cacheTtl;
  private final Duration timeout;
  // Single-flight per check bounds the threads to one per check.
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "dz-readiness");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param cacheTtl how long the result of a {@linkplain #remote remote} check is reused
   * @param timeout how long a probe waits for a check
   */
  public Readiness(Duration cacheTtl, Duration timeout) {
    this.cacheTtl = cacheTtl;
    this.timeout = timeout;
  }

  /** Adds a check of a remote service, run at most once per cache time. */
  public Readiness remote(String name, ReadinessCheck check) {
    checks.add(new CachedCheck(name, check, cacheTtl, executor, System::nanoTime));
    return this;
  }

  /** Adds a check of in-process state, cheap enough to run on every probe. */
  public Readiness local(String name, ReadinessCheck check) {
    checks.add(new CachedCheck(name, check, Duration.ZERO, executor, System::nanoTime));
    return this;
  }

  /** Every check's result, in order; completes within about {@code timeout}. */
  public CompletableFuture<List<CheckResult>> check() {
    List<CompletableFuture<CheckResult>> results = new ArrayList<>();
    for (CachedCheck check : checks) {
      results.add(
          check
              .result()
              .copy()
              .completeOnTimeout(
                  new CheckResult(
                      check.name(),
                      "no answer within "
                          + timeout.toMillis()
                          + " ms (admin.checkTimeout); it is still being waited for"),
                  timeout.toMillis(),
                  TimeUnit.MILLISECONDS));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(done -> results.stream().map(CompletableFuture::join).toList());
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
