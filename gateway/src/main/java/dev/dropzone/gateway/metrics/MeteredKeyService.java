package dev.dropzone.gateway.metrics;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.WrappedKey;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Times every wrap and unwrap of the key service it wraps, by provider, operation and outcome
 * ({@code ok}, or the failure kind: {@code unavailable}, {@code rejected}, {@code invalid}), as
 * {@code dropzone_key_service_calls_seconds}. The outcome is all a metric may say: which user or
 * key a call was for belongs in the log, not in a label.
 */
public final class MeteredKeyService implements KeyService {

  static final String CALLS = "dropzone.key.service.calls";

  private final KeyService service;
  private final String provider;
  private final MeterRegistry registry;

  /**
   * @param provider the {@code keys.provider} name ({@code local}, {@code vault}, …)
   */
  public MeteredKeyService(KeyService service, String provider, MeterRegistry registry) {
    this.service = service;
    this.provider = provider;
    this.registry = registry;
  }

  @Override
  public String masterKeyId() {
    return service.masterKeyId();
  }

  @Override
  public CompletableFuture<WrappedKey> wrap(byte[] dataKey, KeyBinding binding) {
    long start = System.nanoTime();
    return timed(() -> service.wrap(dataKey, binding), "wrap", start);
  }

  @Override
  public CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding) {
    long start = System.nanoTime();
    return timed(() -> service.unwrap(wrapped, binding), "unwrap", start);
  }

  private interface Call<T> {
    CompletableFuture<T> start();
  }

  private <T> CompletableFuture<T> timed(Call<T> call, String operation, long start) {
    CompletableFuture<T> result;
    try {
      result = call.start();
    } catch (RuntimeException e) {
      record(operation, start, e);
      throw e;
    }
    return result.whenComplete((value, error) -> record(operation, start, error));
  }

  private void record(String operation, long start, Throwable error) {
    Timer.builder(CALLS)
        .description("Calls to the key service (wrap, unwrap) by outcome")
        .tag("provider", provider)
        .tag("operation", operation)
        .tag("outcome", outcome(error))
        .serviceLevelObjectives(MeterBuckets.REMOTE_CALL)
        .register(registry)
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  private static String outcome(Throwable error) {
    if (error == null) {
      return "ok";
    }
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof KeyServiceException failure
        ? failure.failure().name().toLowerCase(Locale.ROOT)
        : "error";
  }
}
