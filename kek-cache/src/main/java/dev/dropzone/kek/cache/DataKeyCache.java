package dev.dropzone.kek.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.crypto.tink.StreamingAead;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
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
 * each time: concurrent requests for one key share a single unwrap, failures are not kept, and
 * entries expire when unused for the configured time.
 *
 * <p>Entries are keyed by the wrapped key <em>and</em> the binding it is requested under: a key
 * that unwrapped for one user or key domain is never handed out for another on the strength of a
 * cache hit, so the key service's binding holds for cached keys too.
 */
public final class DataKeyCache {

  private static final Logger LOG = LoggerFactory.getLogger(DataKeyCache.class);

  private final KeyService keyService;
  private final SingleFlightCache<Entry, StreamingAead> cache;

  private DataKeyCache(Builder builder) {
    this.keyService = builder.keyService;
    this.cache =
        new SingleFlightCache<>(
            Caffeine.newBuilder()
                .maximumSize(builder.maximumSize)
                .expireAfterAccess(builder.timeToIdle)
                .ticker(builder.ticker)
                .executor(builder.executor)
                .recordStats()
                .buildAsync());
  }

  public static Builder builder(KeyService keyService) {
    return new Builder(keyService);
  }

  /** The primitive for {@code key} as wrapped under {@code binding}; unwraps it on a miss. */
  public CompletableFuture<StreamingAead> get(WrappedKey key, KeyBinding binding) {
    return cache.get(new Entry(key, binding), this::load, "unwrapping " + key + " for " + binding);
  }

  /** Adds a key this gateway has just generated and wrapped, so its first use needs no unwrap. */
  public void put(WrappedKey key, KeyBinding binding, StreamingAead aead) {
    cache.put(new Entry(key, binding), aead);
  }

  public CacheStats stats() {
    com.github.benmanes.caffeine.cache.stats.CacheStats stats =
        cache.caffeine().synchronous().stats();
    return new CacheStats(
        stats.hitCount(),
        stats.missCount(),
        stats.loadCount(),
        stats.loadFailureCount(),
        cache.caffeine().synchronous().estimatedSize());
  }

  private CompletableFuture<StreamingAead> load(Entry entry) {
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

  private static StreamingAead primitive(byte[] raw, Entry entry) {
    try {
      return StreamingKeys.fromRaw(raw);
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
    private Duration timeToIdle = Duration.ofMinutes(15);
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

    /** How long an unwrapped key stays cached after its last use. */
    public Builder timeToIdle(Duration timeToIdle) {
      if (timeToIdle.isNegative() || timeToIdle.isZero()) {
        throw new IllegalArgumentException("timeToIdle must be positive: " + timeToIdle);
      }
      this.timeToIdle = timeToIdle;
      return this;
    }

    /** The clock expiry is measured with; tests pass one they can advance. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Where the cache runs its housekeeping (eviction, removal of expired entries). */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    public DataKeyCache build() {
      return new DataKeyCache(this);
    }
  }
}
