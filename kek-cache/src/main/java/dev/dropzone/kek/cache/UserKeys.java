package dev.dropzone.kek.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.dropzone.kek.DamagedKeyRecordException;
import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each session's current data key: created, wrapped and recorded on the user's first upload, read
 * from the user's key record afterwards. The resolved key is remembered per user and key domain, so
 * uploads do not re-read the record each time; remembered keys expire a fixed time after they were
 * resolved (not after their last use), so a key rotated through another replica is picked up here
 * within that time.
 *
 * <p>A record is used only once it has proved itself for the session asking: it names the session's
 * user, it is a version 2 record for the session's key domain, its key unwraps for that domain, its
 * MAC (under a key derived from the data key) verifies, and its epoch is not lower than the highest
 * this process has seen for the user. Anything else someone with write access to the bucket could
 * have arranged, so it is refused with an ERROR log line saying what to do, except two cases that
 * are ordinary and get a new key instead: a version 1 record (replaced by version 2, epoch 1 or
 * later) and a record for another domain (the user's home changed).
 */
public final class UserKeys implements DataKeys {

  private static final Logger LOG = LoggerFactory.getLogger(UserKeys.class);

  private final DataKeyCache cache;
  private final KeyRecordStore records;
  private final Executor blocking;
  private final KeyIssuer issuer;
  private final SingleFlightCache<KeyOwner, UserKey> resolved;
  private final ConcurrentMap<String, Long> highestEpochs = new ConcurrentHashMap<>();

  private UserKeys(Builder builder) {
    this.cache = builder.cache;
    this.records = builder.records;
    this.blocking = builder.blocking;
    this.issuer = new KeyIssuer(builder.keyService, builder.clock);
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
  public CompletableFuture<UserKey> forWriting(KeyOwner owner) {
    Objects.requireNonNull(owner, "owner");
    return resolved.get(owner, this::resolve, "resolving the data key of " + owner);
  }

  @Override
  public CompletableFuture<DataKey> forReading(WrappedKey key, KeyBinding binding) {
    return cache.get(key, binding);
  }

  /** Forgets the remembered keys of {@code user}; the next upload reads the key record again. */
  public void invalidate(String user) {
    resolved.caffeine().synchronous().asMap().keySet().removeIf(o -> o.user().equals(user));
  }

  private CompletableFuture<UserKey> resolve(KeyOwner owner) {
    return CompletableFuture.supplyAsync(() -> read(owner.user()), blocking)
        .thenCompose(
            found -> found.map(record -> fromRecord(record, owner)).orElseGet(() -> create(owner)))
        .whenComplete(
            (key, error) -> {
              if (error != null) {
                KeyServiceException failure =
                    KeyFailures.of(error, "resolving the data key of " + owner);
                LOG.warn(
                    "Cannot resolve the data key of {} ({}): {}; {}",
                    owner,
                    failure.failure(),
                    failure.getMessage(),
                    KeyFailures.advice(failure));
              }
            });
  }

  private CompletableFuture<UserKey> fromRecord(KeyRecord record, KeyOwner owner) {
    if (!record.user().equals(owner.user())) {
      return refused(
          owner,
          "the key record of user "
              + owner.user()
              + " names another user, "
              + record.user()
              + ": it was put there by someone with write access to the bucket, or misplaced");
    }
    if (!record.isV2()) {
      LOG.info(
          "Replacing the version 1 key record of user {} with a version 2 record for key domain"
              + " {}; files written before keep their own keys",
          owner.user(),
          owner.domain());
      return replace(owner, nextEpoch(owner.user(), 0));
    }
    if (!record.domain().equals(owner.domain())) {
      LOG.info(
          "The key record of user {} is for key domain {}, the session's is {} (the home changed,"
              + " or the record was edited): giving the user a new key for {}",
          owner.user(),
          record.domain(),
          owner.domain(),
          owner.domain());
      return replace(owner, nextEpoch(owner.user(), record.epoch()));
    }
    return cache
        .get(record.key(), owner.binding())
        .handle(
            (key, error) -> {
              if (error == null) {
                return proven(record, owner, key);
              }
              KeyServiceException failure = KeyFailures.of(error, "unwrapping the key record");
              if (failure.failure() == Failure.UNAVAILABLE) {
                throw new CompletionException(failure);
              }
              throw new CompletionException(
                  refusal(
                      owner,
                      "the key in the key record of user "
                          + owner.user()
                          + " does not unwrap for key domain "
                          + owner.domain()
                          + " ("
                          + failure.getMessage()
                          + "): the master key that wrapped it was revoked or deleted, or the"
                          + " record was altered",
                      failure.failure()));
            });
  }

  /** The record's key once its MAC and epoch check out; the unwrap has already succeeded. */
  private UserKey proven(KeyRecord record, KeyOwner owner, DataKey key) {
    if (!key.hasRecord(record.fields(), record.macBytes())) {
      throw new CompletionException(
          refusal(
              owner,
              "the key record of user "
                  + owner.user()
                  + " fails its MAC check: its user, domain, epoch or creation time was altered"));
    }
    long highest = highestEpochs.getOrDefault(owner.user(), 0L);
    if (record.epoch() < highest) {
      throw new CompletionException(
          refusal(
              owner,
              "the key record of user "
                  + owner.user()
                  + " has epoch "
                  + record.epoch()
                  + ", older than epoch "
                  + highest
                  + " this gateway has already used: an older record was put back (a"
                  + " rollback)"));
    }
    highestEpochs.merge(owner.user(), record.epoch(), Math::max);
    return new UserKey(owner, record.epoch(), record.key(), key);
  }

  private static KeyServiceException refusal(KeyOwner owner, String why) {
    return refusal(owner, why, Failure.INVALID);
  }

  /**
   * Logs a refused record as an ERROR with what to do, and returns the failure to report: INVALID
   * for a record that is not what it claims, or the key service's own REJECTED.
   */
  private static KeyServiceException refusal(KeyOwner owner, String why, Failure failure) {
    LOG.error(
        "Refused the key record of {}: {}. Restore the record from a backup, or give the user a"
            + " new key with 'dropzone keys rotate --user {}'",
        owner,
        why,
        owner.user());
    return new KeyServiceException(failure, "refused the key record: " + why);
  }

  private static CompletableFuture<UserKey> refused(KeyOwner owner, String why) {
    return CompletableFuture.failedFuture(refusal(owner, why));
  }

  /** The epoch a new key of {@code user} gets: above the record's and above any seen here. */
  private long nextEpoch(String user, long recordEpoch) {
    return Math.max(recordEpoch, highestEpochs.getOrDefault(user, 0L)) + 1;
  }

  private CompletableFuture<UserKey> create(KeyOwner owner) {
    return issuer
        .issue(owner, nextEpoch(owner.user(), 0))
        .thenApplyAsync(issued -> recordIfAbsent(owner, issued), blocking)
        .thenCompose(
            created ->
                created.map(CompletableFuture::completedFuture).orElseGet(() -> winner(owner)));
  }

  /** Stores the new key's record; empty if another writer recorded a key for the user first. */
  private Optional<UserKey> recordIfAbsent(KeyOwner owner, KeyIssuer.Issued issued) {
    boolean created;
    try {
      created = records.createIfAbsent(issued.record());
    } catch (IOException e) {
      throw unavailable(e);
    }
    if (!created) {
      LOG.debug("Another writer recorded a data key for user {} first; using it", owner.user());
      return Optional.empty();
    }
    LOG.info("Created the data key of {} (wrapped by {})", owner, issued.record().key().ref());
    return Optional.of(remember(owner, issued));
  }

  private CompletableFuture<UserKey> replace(KeyOwner owner, long epoch) {
    return issuer
        .issue(owner, epoch)
        .thenApplyAsync(
            issued -> {
              try {
                records.replace(issued.record());
              } catch (IOException e) {
                throw unavailable(e);
              }
              LOG.info(
                  "Recorded a new data key of {} with epoch {} (wrapped by {})",
                  owner,
                  epoch,
                  issued.record().key().ref());
              return remember(owner, issued);
            },
            blocking);
  }

  private UserKey remember(KeyOwner owner, KeyIssuer.Issued issued) {
    cache.put(issued.record().key(), owner.binding(), issued.key());
    highestEpochs.merge(owner.user(), issued.record().epoch(), Math::max);
    return issued.userKey(owner);
  }

  private CompletableFuture<UserKey> winner(KeyOwner owner) {
    return CompletableFuture.supplyAsync(() -> read(owner.user()), blocking)
        .thenCompose(
            found ->
                found
                    .map(record -> fromRecord(record, owner))
                    .orElseGet(
                        () ->
                            CompletableFuture.failedFuture(
                                new KeyServiceException(
                                    Failure.UNAVAILABLE,
                                    "key record store refused a new key record for user "
                                        + owner.user()
                                        + " as already present, but holds none"))));
  }

  private Optional<KeyRecord> read(String user) {
    try {
      return records.read(user);
    } catch (DamagedKeyRecordException e) {
      LOG.error(
          "The key record of user {} is damaged ({}). Restore it from a backup, or give the user a"
              + " new key with 'dropzone keys rotate --user {}'",
          user,
          e.getMessage(),
          user);
      throw new CompletionException(
          new KeyServiceException(Failure.INVALID, "damaged key record: " + e.getMessage(), e));
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
    private Clock clock = Clock.systemUTC();

    private Builder(
        KeyService keyService, DataKeyCache cache, KeyRecordStore records, Executor blocking) {
      this.keyService = Objects.requireNonNull(keyService, "keyService");
      this.cache = Objects.requireNonNull(cache, "cache");
      this.records = Objects.requireNonNull(records, "records");
      this.blocking = Objects.requireNonNull(blocking, "blocking");
    }

    /** How many sessions' resolved keys to remember at most. */
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

    /** The clock new key records take their creation time from. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public UserKeys build() {
      return new UserKeys(this);
    }
  }
}
