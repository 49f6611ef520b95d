package dev.dropzone.kek.cache;

import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.kek.format.RecordFields;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one way a user key comes into being, for a gateway's first upload of a user and for {@code
 * keys rotate} alike: 32 random bytes, wrapped by the key service for the owner's key domain, and
 * the signed version 2 key record that names them, once the service has unwrapped its wrapping back
 * to the same key. Storing the record is the caller's business.
 */
public final class KeyIssuer {

  private final KeyService service;
  private final Clock clock;

  public KeyIssuer(KeyService service, Clock clock) {
    this.service = Objects.requireNonNull(service, "service");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A new key and its record.
   *
   * @param record the record to store: v2, bound to the owner's domain, MAC'd with the new key
   * @param key the key itself, so its first use needs no further unwrap
   */
  public record Issued(KeyRecord record, DataKey key) {

    /** The new key, ready for {@code owner}'s uploads. */
    public UserKey userKey(KeyOwner owner) {
      return new UserKey(owner, record.epoch(), record.key(), key);
    }
  }

  /** A fresh key for {@code owner} with {@code epoch}; fails with a KeyServiceException. */
  public CompletableFuture<Issued> issue(KeyOwner owner, long epoch) {
    byte[] raw = StreamingKeys.newDataKey();
    DataKey key;
    CompletableFuture<WrappedKey> wrapping;
    try {
      key = DataKey.fromRaw(raw);
      wrapping = service.wrap(raw, owner.binding());
    } catch (GeneralSecurityException | RuntimeException e) {
      Arrays.fill(raw, (byte) 0);
      return CompletableFuture.failedFuture(KeyFailures.of(e, "creating a data key for " + owner));
    }
    // A remote provider may still be reading the bytes until its future completes.
    wrapping.whenComplete((wrapped, error) -> Arrays.fill(raw, (byte) 0));
    return wrapping.thenCompose(
        wrapped -> {
          RecordFields fields =
              new RecordFields(
                  owner.user(), owner.domain(), epoch, KeyRecord.createdAt(clock.instant()));
          byte[] tag = key.recordTag(fields);
          // The new key is used from memory until the cache lets it go; a wrapping that does not
          // unwrap to it (a key service with mismatched key halves, a proxy that mangles replies)
          // would leave every file written meanwhile unreadable. One unwrap per new key proves it.
          return service
              .unwrap(wrapped, owner.binding())
              .thenApply(
                  unwrapped -> {
                    requireSameKey(unwrapped, fields, tag, owner);
                    return new Issued(KeyRecord.v2(fields, wrapped, tag), key);
                  });
        });
  }

  private static void requireSameKey(
      byte[] unwrapped, RecordFields fields, byte[] tag, KeyOwner owner) {
    try {
      if (!DataKey.fromRaw(unwrapped).hasRecord(fields, tag)) {
        throw new CompletionException(
            new KeyServiceException(
                Failure.REJECTED,
                "the key service wrapped a new data key for "
                    + owner
                    + " so that it unwraps to another key; nothing was written with it. Check"
                    + " that the service's wrapping and unwrapping keys belong together"));
      }
    } catch (GeneralSecurityException e) {
      throw new CompletionException(
          new KeyServiceException(
              Failure.REJECTED,
              "the key service unwrapped a new data key for " + owner + " to no usable key",
              e));
    } finally {
      Arrays.fill(unwrapped, (byte) 0);
    }
  }
}
