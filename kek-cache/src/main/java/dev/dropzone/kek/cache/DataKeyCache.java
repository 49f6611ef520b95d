package dev.dropzone.kek.cache;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unwrapped data keys, ready to encrypt and decrypt, so that transfers do not call the key service
 * each time: concurrent requests for one key share a single unwrap and failures are not kept.
 *
 * <p>Every key has a hard maximum age counted from its last successful unwrap, however often it is
 * used, so a master key revoked in the key service stops working here within that age even for a
 * user who is busy all day. A key in use is unwrapped again in the background once half its age has
 * passed: while the key service agrees, busy users never wait for an unwrap; once it refuses the
 * key (REJECTED or INVALID), the key is dropped at once; while it cannot be reached, the key serves
 * on until its maximum age.
 *
 * <p>Entries are keyed by the wrapped key <em>and</em> the binding it is requested under: a key
 * that unwrapped for one user or key domain is never handed out for another on the strength of a
 * cache hit, so the key service's binding holds for cached keys too.
 */
public final class DataKeyCache {

  private static final Logger LOG = LoggerFactory.getLogger(DataKeyCache.class);

  private final KeyService keyService;
  private final SingleFlightCache<Entry, DataKey> cache;

  private DataKeyCache(Builder builder) {
    this.keyService = builder.keyService;
    AsyncCacheLoader<Entry, DataKey> loader =
        new AsyncCacheLoader<>() {
          @Override
          public CompletableFuture<DataKey> asyncLoad(Entry entry, Executor executor) {
            return load(entry);
          }

          @Override
          public CompletableFuture<DataKey> asyncReload(
              Entry entry, DataKey old, Executor executor) {
            return reload(entry);
          }
        };
    this.cache =
        new SingleFlightCache<>(
            Caffeine.newBuilder()
                .maximumSize(builder.maximumSize)
                .expireAfterWrite(builder.maximumAge)
                .refreshAfterWrite(builder.maximumAge.dividedBy(2))
                .ticker(builder.ticker)
                .executor(builder.executor)
                .recordStats()
                .buildAsync(loader));
  }

  public static Builder builder(KeyService keyService) {
    return new Builder(keyService);
  }

  /** The data key {@code key} holds when unwrapped under {@code binding}; unwraps on a miss. */
  public CompletableFuture<DataKey> get(WrappedKey key, KeyBinding binding) {
    return cache.get(new Entry(key, binding), this::load, "unwrapping " + key + " for " + binding);
  }

  /** Adds a key this gateway has just generated and wrapped, so its first use needs no unwrap. */
  public void put(WrappedKey key, KeyBinding binding, DataKey dataKey) {
    cache.put(new Entry(key, binding), dataKey);
  }

  public CacheStats stats() {
    com.github.benmanes.caffeine.cache.stats.CacheStats stats =
        cache.caffeine().synchronous().stats();
    return new CacheStats(
        stats.hitCount(),
        stats.missCount(),
        stats.loadCount(),
        stats.loadFailureCount(),
        cache.caffeine().synchronous().estimatedSize(),
        stats.evictionCount());
  }

  /**
   * The background unwrap of a key in use. Caffeine keeps the old key when this fails; a refusal
   * must not be outlived by the cached key, so then the entry goes too.
   */
  private CompletableFuture<DataKey> reload(Entry entry) {
    CompletableFuture<DataKey> reloading = load(entry);
    reloading.whenComplete(
        (key, error) -> {
          if (error != null
              && KeyFailures.of(error, "unwrapping again").failure() != Failure.UNAVAILABLE) {
            LOG.warn(
                "Dropped the cached data key {} for {}: the key service now refuses it",
                entry.key.ref(),
                entry.binding);
            cache.invalidate(entry);
          }
        });
    return reloading;
  }

  private CompletableFuture<DataKey> load(Entry entry) {
    LOG.debug("Unwrapping {} for {}", entry.key, entry.binding);
    CompletableFuture<byte[]> unwrapping;
    try {
      unwrapping = keyService.unwrap(entry.key, entry.binding);
    } catch (RuntimeException e) {
      // A provider that throws instead of failing its future still gets a logged, typed failure.
      unwrapping = CompletableFuture.failedFuture(e);
    }
    return unwrapping
        .thenApply(raw -> primitive(raw, entry))
        .whenComplete(
            (aead, error) -> {
              if (error != null) {
                KeyServiceException failure =
                    KeyFailures.of(error, "unwrapping " + entry.key + " for " + entry.binding);
                LOG.warn(
                    "Cannot unwrap data key {} for {} ({}): {}; {}",
                    entry.key.ref(),
                    entry.binding,
                    failure.failure(),
                    failure.getMessage(),
                    KeyFailures.advice(failure));
              }
            });
  }

  private static DataKey primitive(byte[] raw, Entry entry) {
    try {
      return DataKey.fromRaw(raw);
    } catch (GeneralSecurityException e) {
      throw new CompletionException(
          new KeyServiceException(
              Failure.INVALID,
              "key ref "
                  + entry.key.ref()
                  + " for "
                  + entry.binding
                  + " unwrapped to something that is not a data key: "
                  + e.getMessage(),
              e));
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private record Entry(WrappedKey key, KeyBinding binding) {
    Entry {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(binding, "binding");
    }
  }

  /** Settings of a {@link DataKeyCache}; the defaults suit a gateway with thousands of users. */
  public static final class Builder {

    private final KeyService keyService;
    private long maximumSize = 10_000;
    private Duration maximumAge = Duration.ofMinutes(15);
    private Ticker ticker = Ticker.systemTicker();
    private Executor executor = ForkJoinPool.commonPool();

    private Builder(KeyService keyService) {
      this.keyService = Objects.requireNonNull(keyService, "keyService");
    }

    /** How many unwrapped keys to hold at most; the least useful are dropped beyond it. */
    public Builder maximumSize(long maximumSize) {
      if (maximumSize < 0) {
        throw new IllegalArgumentException("maximumSize must not be negative: " + maximumSize);
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /**
     * How long an unwrapped key may be used after the unwrap that produced it; keys in use are
     * unwrapped again after half of it.
     */
    public Builder maximumAge(Duration maximumAge) {
      if (maximumAge.isNegative() || maximumAge.compareTo(Duration.ofSeconds(2)) < 0) {
        throw new IllegalArgumentException("maximumAge must be at least 2 seconds: " + maximumAge);
      }
      this.maximumAge = maximumAge;
      return this;
    }

    /** The clock expiry is measured with; tests pass one they can advance. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Where the cache runs its housekeeping (eviction, expiry, background unwraps). */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    public DataKeyCache build() {
      return new DataKeyCache(this);
    }
  }
}
