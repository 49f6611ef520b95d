package dev.dropzone.kek.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.kek.testing.FakeTicker;
import dev.dropzone.kek.testing.InstrumentedKeyService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataKeyCacheTest {

  private static final Duration TTL = Duration.ofMinutes(10);

  @TempDir Path directory;

  private LocalKeyService local;
  private InstrumentedKeyService keyService;
  private FakeTicker ticker;
  private DataKeyCache cache;
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws Exception {
    local = LocalKeyService.open(directory.resolve("master.json"));
    keyService = new InstrumentedKeyService(local);
    ticker = new FakeTicker();
    cache =
        DataKeyCache.builder(keyService)
            .maximumAge(TTL)
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  @AfterEach
  void tearDown() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  @Test
  void hundredConcurrentRequestsForOneKeyUnwrapItOnce() throws Exception {
    WrappedKey key = local.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    keyService.hold();
    int requests = 100;
    pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<CompletableFuture<DataKey>>> asked = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      asked.add(
          pool.submit(
              () -> {
                start.await();
                return cache.get(key, KeyBinding.user("alice"));
              }));
    }
    start.countDown();
    List<CompletableFuture<DataKey>> pending = new ArrayList<>();
    for (Future<CompletableFuture<DataKey>> f : asked) {
      pending.add(f.get(30, TimeUnit.SECONDS));
    }
    // Every request is in before the one unwrap may finish: they all overlap it.
    assertThat(pending).noneMatch(CompletableFuture::isDone);

    keyService.release();

    List<DataKey> primitives = new ArrayList<>();
    for (CompletableFuture<DataKey> f : pending) {
      primitives.add(f.get(30, TimeUnit.SECONDS));
    }
    assertThat(keyService.unwrapCount()).isEqualTo(1);
    assertThat(primitives).allMatch(p -> p == primitives.get(0));
    CacheStats stats = cache.stats();
    assertThat(stats.misses()).isEqualTo(1);
    assertThat(stats.hits()).isEqualTo(requests - 1);
    assertThat(stats.loads()).isEqualTo(1);
    assertThat(stats.loadFailures()).isZero();
    assertThat(stats.size()).isEqualTo(1);
  }

  @Test
  void aKeyInUseIsUnwrappedAgainInTheBackgroundAfterHalfItsMaximumAge() throws Exception {
    WrappedKey key = local.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();

    DataKey first = cache.get(key, KeyBinding.user("alice")).get();
    ticker.advance(TTL.dividedBy(2).minusSeconds(1));
    assertThat(cache.get(key, KeyBinding.user("alice")).get()).isSameAs(first);
    assertThat(keyService.unwrapCount()).isEqualTo(1);

    ticker.advance(Duration.ofSeconds(2));
    // The caller is answered from the cache; the unwrap runs beside it (inline here: the test's
    // executor and the local key service complete at once).
    assertThat(cache.get(key, KeyBinding.user("alice")).get()).isNotNull();
    assertThat(keyService.unwrapCount()).isEqualTo(2);
    assertThat(cache.stats().misses()).isEqualTo(1);

    ticker.advance(TTL.dividedBy(2).plusSeconds(10));
    cache.get(key, KeyBinding.user("alice")).get();
    assertThat(keyService.unwrapCount())
        .as("the background unwrap restarted the key's age: no wait, no second load")
        .isEqualTo(3);
    assertThat(cache.stats().loadFailures()).isZero();
  }

  /**
   * The case the maximum age exists for: with idle-based expiry a user active every minute kept a
   * revoked master key's data key forever.
   */
  @Test
  void aRevokedMasterKeyStopsAUserActiveEveryMinuteWithinTheMaximumAge() throws Exception {
    WrappedKey key = local.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    cache.get(key, KeyBinding.user("alice")).get();
    ticker.advance(Duration.ofMinutes(3));

    keyService.failWith(new KeyServiceException(Failure.REJECTED, "master key revoked"));
    Duration sinceRevocation = Duration.ZERO;
    Duration refusedAfter = null;
    while (sinceRevocation.compareTo(TTL.multipliedBy(3)) < 0) {
      ticker.advance(Duration.ofMinutes(1));
      sinceRevocation = sinceRevocation.plusMinutes(1);
      try {
        cache.get(key, KeyBinding.user("alice")).get();
      } catch (ExecutionException e) {
        assertThat(e.getCause()).hasMessage("master key revoked");
        refusedAfter = sinceRevocation;
        break;
      }
    }

    assertThat(refusedAfter)
        .as("refused within the maximum age plus one background unwrap")
        .isNotNull()
        .isLessThanOrEqualTo(TTL.plus(TTL.dividedBy(2)));
  }

  @Test
  void anUnreachableKeyServiceKeepsAKeyInUseUntilItsMaximumAgeButNoLonger() throws Exception {
    WrappedKey key = local.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    DataKey cached = cache.get(key, KeyBinding.user("alice")).get();
    keyService.failWith(new KeyServiceException(Failure.UNAVAILABLE, "key service down"));

    for (int minute = 1; minute < TTL.toMinutes(); minute++) {
      ticker.advance(Duration.ofMinutes(1));
      assertThat(cache.get(key, KeyBinding.user("alice")).get())
          .as("minute %d of the outage", minute)
          .isSameAs(cached);
    }
    ticker.advance(Duration.ofMinutes(1).plusSeconds(1));

    assertThatThrownBy(() -> cache.get(key, KeyBinding.user("alice")).get())
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE));
  }

  @Test
  void aFailedUnwrapIsNotCached() throws Exception {
    WrappedKey key = local.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    keyService.failWith(new KeyServiceException(Failure.UNAVAILABLE, "key service down"));

    assertThatThrownBy(() -> cache.get(key, KeyBinding.user("alice")).get())
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE))
        .hasMessage("key service down");

    keyService.heal();
    DataKey aead = cache.get(key, KeyBinding.user("alice")).get();

    assertThat(aead).isNotNull();
    assertThat(keyService.unwrapCount()).isEqualTo(2);
    assertThat(cache.stats().loadFailures()).isEqualTo(1);
    assertThat(cache.stats().size()).isEqualTo(1);
  }

  @Test
  void aRetryMadeAsSoonAsALateFailureIsReportedUnwrapsAgain() throws Exception {
    WrappedKey key = local.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    keyService.hold();
    keyService.failWith(new KeyServiceException(Failure.UNAVAILABLE, "timed out"));
    CompletableFuture<DataKey> retried =
        cache
            .get(key, KeyBinding.user("alice"))
            .handle((aead, error) -> error)
            .thenCompose(
                error -> {
                  keyService.heal();
                  return cache.get(key, KeyBinding.user("alice"));
                });

    keyService.release();

    assertThat(retried.get(30, TimeUnit.SECONDS)).isNotNull();
    assertThat(keyService.unwrapCount()).isEqualTo(2);
  }

  @Test
  void aCorruptWrappedKeyFailsClearlyAndNamesTheReference() throws Exception {
    WrappedKey corrupt = new WrappedKey(local.masterKeyId(), "AAAA");

    assertThatThrownBy(() -> cache.get(corrupt, KeyBinding.user("alice")).get())
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.INVALID))
        .hasMessageContaining(local.masterKeyId())
        .hasMessageContaining("alice");
  }

  @Test
  void anUnexpectedProviderErrorStillFailsWithAKeyServiceException() throws Exception {
    WrappedKey key = local.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    keyService.failWith(new IllegalStateException("provider bug"));

    assertThatThrownBy(() -> cache.get(key, KeyBinding.user("alice")).get())
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.REJECTED))
        .hasMessageContaining(key.ref())
        .hasMessageContaining("alice")
        .hasMessageContaining("provider bug");
  }

  @Test
  void aKeyCachedForOneUserIsNotServedToAnother() throws Exception {
    WrappedKey alices = local.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    cache.get(alices, KeyBinding.user("alice")).get();

    assertThatThrownBy(() -> cache.get(alices, KeyBinding.user("bob")).get())
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.REJECTED));
  }

  @Test
  void aKeyPutByItsCreatorNeedsNoUnwrap() throws Exception {
    byte[] raw = StreamingKeys.newDataKey();
    WrappedKey key = local.wrap(raw, KeyBinding.user("alice")).get();
    DataKey aead = DataKey.fromRaw(raw);

    cache.put(key, KeyBinding.user("alice"), aead);

    assertThat(cache.get(key, KeyBinding.user("alice")).get()).isSameAs(aead);
    assertThat(keyService.unwrapCount()).isZero();
  }

  @Test
  void holdsNoMoreKeysThanItsMaximumSize() throws Exception {
    DataKeyCache small =
        DataKeyCache.builder(keyService).maximumSize(2).executor(Runnable::run).build();
    for (int i = 0; i < 5; i++) {
      small
          .get(
              local.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get(),
              KeyBinding.user("alice"))
          .get();
    }

    assertThat(small.stats().size()).isLessThanOrEqualTo(2);
    assertThat(small.stats().loads()).isEqualTo(5);
    assertThat(small.stats().evictions())
        .as("every key loaded and no longer held was evicted")
        .isEqualTo(5 - small.stats().size());
  }
}
