package dev.dropzone.gateway.admin;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A readiness check that runs at most once per {@code ttl} and never twice at once: probes arriving
 * meanwhile share the last result or the run in progress, so any number of probes cost S3 or the
 * key service one call per {@code ttl}. A change between passing and failing is logged, so the
 * reason is in the log and not only in a probe's answer.
 */
final class CachedCheck {

  private static final Logger LOG = LoggerFactory.getLogger(CachedCheck.class);

  private final String name;
  private final ReadinessCheck check;
  private final long ttlNanos;
  private final Executor executor;
  private final LongSupplier nanoTime;

  private CompletableFuture<CheckResult> latest;
  private volatile long finishedAt;
  private volatile Boolean lastOk;

  CachedCheck(
      String name, ReadinessCheck check, Duration ttl, Executor executor, LongSupplier nanoTime) {
    this.name = Objects.requireNonNull(name, "name");
    this.check = Objects.requireNonNull(check, "check");
    this.ttlNanos = ttl.toNanos();
    this.executor = executor;
    this.nanoTime = nanoTime;
  }

  String name() {
    return name;
  }

  /** The result of a run finished less than {@code ttl} ago, the run in progress, or a new run. */
  synchronized CompletableFuture<CheckResult> result() {
    if (latest != null && (!latest.isDone() || nanoTime.getAsLong() - finishedAt < ttlNanos)) {
      return latest;
    }
    latest = CompletableFuture.supplyAsync(this::run, executor);
    return latest;
  }

  private CheckResult run() {
    CheckResult result;
    try {
      Optional<String> problem = check.problem();
      result = new CheckResult(name, problem.orElse(null));
    } catch (RuntimeException e) {
      result = new CheckResult(name, "the check failed: " + e);
    }
    // Set before the future completes, so a caller that sees it done sees this time too.
    finishedAt = nanoTime.getAsLong();
    logChange(result);
    return result;
  }

  private void logChange(CheckResult result) {
    Boolean before = lastOk;
    lastOk = result.ok();
    if (result.ok() && Boolean.FALSE.equals(before)) {
      LOG.info("Readiness check '{}' passes again", name);
    } else if (!result.ok() && !Boolean.FALSE.equals(before)) {
      LOG.warn("Readiness check '{}' fails, so /readyz answers 503: {}", name, result.problem());
    }
  }
}
