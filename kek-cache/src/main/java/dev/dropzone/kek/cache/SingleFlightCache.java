package dev.dropzone.kek.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import dev.dropzone.kek.KeyServiceException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A Caffeine async cache in which concurrent requests for one key share one load, and a failed load
 * is forgotten before anyone hears of it, so the next request tries again.
 */
final class SingleFlightCache<K, V> {

  private final AsyncCache<K, V> cache;

  SingleFlightCache(AsyncCache<K, V> cache) {
    this.cache = cache;
  }

  /**
   * The cached or loading value for {@code key}, else the result of {@code load}. Failures are
   * {@link KeyServiceException}s; {@code context} names the operation in unexpected ones.
   */
  CompletableFuture<V> get(K key, Function<K, CompletableFuture<V>> load, String context) {
    CompletableFuture<V> shared = cache.get(key, (k, executor) -> start(k, load));
    CompletableFuture<V> result = new CompletableFuture<>();
    shared.whenComplete(
        (value, error) -> {
          if (error == null) {
            result.complete(value);
            return;
          }
          // Removed before the caller's future fails: a retry must not meet the same failure.
          cache.asMap().remove(key, shared);
          result.completeExceptionally(KeyFailures.of(error, context));
        });
    return result;
  }

  void put(K key, V value) {
    cache.put(key, CompletableFuture.completedFuture(value));
  }

  void invalidate(K key) {
    cache.synchronous().invalidate(key);
  }

  AsyncCache<K, V> caffeine() {
    return cache;
  }

  private static <K, V> CompletableFuture<V> start(K key, Function<K, CompletableFuture<V>> load) {
    try {
      return load.apply(key);
    } catch (RuntimeException e) {
      // A loader that throws instead of failing its future must still count as a failed load.
      return CompletableFuture.failedFuture(e);
    }
  }
}
