package dev.dropzone.gateway.metrics;

import dev.dropzone.kek.cache.CacheStats;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.store.EncryptedStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * Meters read from the store's and the data-key cache's own counters when scraped: nothing is
 * counted twice, and the components know nothing of metrics.
 */
public final class StoreMeters {

  private StoreMeters() {}

  /** Part-buffer memory and multipart uploads of {@code store}. */
  public static void bind(EncryptedStore store, MeterRegistry registry) {
    Gauge.builder("dropzone.part.buffer.budget", store, s -> s.partBufferUse().budgetBytes())
        .description("Memory the part buffers of all uploads may hold together")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("dropzone.part.buffer.reserved", store, s -> s.partBufferUse().reservedBytes())
        .description("Part-buffer memory reserved by uploads now")
        .baseUnit("bytes")
        .register(registry);
    FunctionCounter.builder("dropzone.part.buffer.waits", store, s -> s.partBufferUse().waits())
        .description("Times an upload waited for part-buffer memory")
        .register(registry);
    Gauge.builder(
            "dropzone.s3.multipart.uploads.in.flight",
            store,
            EncryptedStore::multipartUploadsInFlight)
        .description("Multipart uploads started and not yet completed or aborted")
        .register(registry);
  }

  /** Hits, misses, evictions, unwrap failures and size of the data-key cache. */
  public static void bind(DataKeyCache cache, MeterRegistry registry) {
    counter(registry, cache, "hits", "Keys served from the cache", CacheStats::hits);
    counter(registry, cache, "misses", "Keys the cache had to unwrap", CacheStats::misses);
    counter(
        registry,
        cache,
        "evictions",
        "Keys dropped from the cache for size or age",
        CacheStats::evictions);
    counter(
        registry,
        cache,
        "load.failures",
        "Unwraps for the cache that failed",
        CacheStats::loadFailures);
    Gauge.builder("dropzone.key.cache.size", cache, c -> c.stats().size())
        .description("Unwrapped data keys held now")
        .register(registry);
  }

  private static void counter(
      MeterRegistry registry,
      DataKeyCache cache,
      String name,
      String description,
      ToDoubleFunction<CacheStats> value) {
    FunctionCounter.builder(
            "dropzone.key.cache." + name, cache, c -> value.applyAsDouble(c.stats()))
        .description(description)
        .register(registry);
  }
}
