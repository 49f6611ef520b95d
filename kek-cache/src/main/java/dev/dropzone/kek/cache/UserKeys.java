package dev.dropzone.kek.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each user's data key: created, wrapped and recorded on the user's first upload, read from the key
 * record afterwards. The resolved key is remembered per user, so uploads do not re-read the record
 * each time.
 *
 * <p>Remembered keys expire a fixed time after they were resolved (not after their last use), so a
 * key rotated through another gateway replica is picked up here within that time.
 */
public final class UserKeys implements DataKeys {

  private static final Logger LOG = LoggerFactory.getLogger(UserKeys.class);

  private final KeyService keyService;
  private final DataKeyCache cache;
  private final KeyRecordStore records;
  private final Executor blocking;
  private final SingleFlightCache<String, UserKey> resolved;

  private UserKeys(Builder builder) {
    this.keyService = builder.keyService;
    this.cache = builder.cache;
    this.records = builder.records;
    this.blocking = builder.blocking;
    this.resolved =
        new SingleFlightCache<>(
            Caffeine.newBuilder()
                .maximumSize(builder.maximumUsers)
                .expireAfterWrite(builder.timeToLive)
                .ticker(builder.ticker)
                .buildAsync());
  }

  /**
   * @param blocking runs the key record store's blocking calls
   */
  public static Builder builder(
      KeyService keyService, DataKeyCache cache, KeyRecordStore records, Executor blocking) {
    return new Builder(keyService, cache, records, blocking);
  }

  @Override
  public CompletableFuture<UserKey> forWriting(String user) {
    Objects.requireNonNull(user, "user");
    return resolved.get(user, this::resolve, "resolving the data key of user " + user);
  }

  @Override
  public CompletableFuture<DataKey> forReading(WrappedKey key, KeyBinding binding) {
    return cache.get(key, binding);
  }

  /** Forgets the remembered key of {@code user}; the next upload reads the key record again. */
  public void invalidate(String user) {
    resolved.invalidate(user);
  }

  private CompletableFuture<UserKey> resolve(String user) {
    return CompletableFuture.supplyAsync(() -> read(user), blocking)
        .thenCompose(
            found -> found.map(record -> fromRecord(record, user)).orElseGet(() -> create(user)))
        .whenComplete(
            (key, error) -> {
              if (error != null) {
                KeyServiceException failure =
                    KeyFailures.of(error, "resolving the data key of user " + user);
                LOG.warn(
                    "Cannot resolve the data key of user {} ({}): {}; {}",
                    user,
                    failure.failure(),
                    failure.getMessage(),
                    KeyFailures.advice(failure));
              }
            });
  }

  private CompletableFuture<UserKey> fromRecord(KeyRecord record, String user) {
    if (!record.user().equals(user)) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(
              Failure.INVALID,
              "the key record of user " + user + " names another user, " + record.user()));
    }
    return cache
        .get(record.key(), KeyBinding.user(user))
        .thenApply(aead -> new UserKey(user, record.key(), aead));
  }

  private CompletableFuture<UserKey> create(String user) {
    byte[] raw = StreamingKeys.newDataKey();
    DataKey aead;
    CompletableFuture<WrappedKey> wrapping;
    try {
      aead = DataKey.fromRaw(raw);
      wrapping = keyService.wrap(raw, KeyBinding.user(user));
    } catch (GeneralSecurityException | RuntimeException e) {
      Arrays.fill(raw, (byte) 0);
      return CompletableFuture.failedFuture(
          KeyFailures.of(e, "creating a data key for user " + user));
    }
    // A remote provider may still be reading the bytes until its future completes.
    wrapping.whenComplete((wrapped, error) -> Arrays.fill(raw, (byte) 0));
    return wrapping
        .thenApplyAsync(wrapped -> record(user, wrapped, aead), blocking)
        .thenCompose(
            created ->
                created.map(CompletableFuture::completedFuture).orElseGet(() -> winner(user)));
  }

  /** Stores the new key's record; empty if another writer recorded a key for the user first. */
  private Optional<UserKey> record(String user, WrappedKey wrapped, DataKey aead) {
    KeyRecord record = new KeyRecord(user, wrapped, Instant.now());
    boolean created;
    try {
      created = records.createIfAbsent(record);
    } catch (IOException e) {
      throw unavailable(e);
    }
    if (!created) {
      LOG.debug("Another writer recorded a data key for user {} first; using it", user);
      return Optional.empty();
    }
    LOG.info("Created the data key of user {} (wrapped by {})", user, wrapped.ref());
    cache.put(wrapped, KeyBinding.user(user), aead);
    return Optional.of(new UserKey(user, wrapped, aead));
  }

  private CompletableFuture<UserKey> winner(String user) {
    return CompletableFuture.supplyAsync(() -> read(user), blocking)
        .thenCompose(
            found ->
                found
                    .map(record -> fromRecord(record, user))
                    .orElseGet(
                        () ->
                            CompletableFuture.failedFuture(
                                new KeyServiceException(
                                    Failure.UNAVAILABLE,
                                    "key record store refused a new key record for user "
                                        + user
                                        + " as already present, but holds none"))));
  }

  private Optional<KeyRecord> read(String user) {
    try {
      return records.read(user);
    } catch (IOException e) {
      throw unavailable(e);
    }
  }

  private static CompletionException unavailable(IOException e) {
    return new CompletionException(
        new KeyServiceException(
            Failure.UNAVAILABLE, "key record store unavailable: " + e.getMessage(), e));
  }

  /** Settings of {@link UserKeys}. */
  public static final class Builder {

    private final KeyService keyService;
    private final DataKeyCache cache;
    private final KeyRecordStore records;
    private final Executor blocking;
    private long maximumUsers = 10_000;
    private Duration timeToLive = Duration.ofMinutes(15);
    private Ticker ticker = Ticker.systemTicker();

    private Builder(
        KeyService keyService, DataKeyCache cache, KeyRecordStore records, Executor blocking) {
      this.keyService = Objects.requireNonNull(keyService, "keyService");
      this.cache = Objects.requireNonNull(cache, "cache");
      this.records = Objects.requireNonNull(records, "records");
      this.blocking = Objects.requireNonNull(blocking, "blocking");
    }

    /** How many users' resolved keys to remember at most. */
    public Builder maximumUsers(long maximumUsers) {
      if (maximumUsers < 0) {
        throw new IllegalArgumentException("maximumUsers must not be negative: " + maximumUsers);
      }
      this.maximumUsers = maximumUsers;
      return this;
    }

    /** How long a resolved key is used before the key record is read again. */
    public Builder timeToLive(Duration timeToLive) {
      if (timeToLive.isNegative() || timeToLive.isZero()) {
        throw new IllegalArgumentException("timeToLive must be positive: " + timeToLive);
      }
      this.timeToLive = timeToLive;
      return this;
    }

    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    public UserKeys build() {
      return new UserKeys(this);
    }
  }
}
