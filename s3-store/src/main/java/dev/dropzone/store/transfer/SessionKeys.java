package dev.dropzone.store.transfer;

import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's keys: whose they are (user and key domain, from the session) and where they come
 * from. Waits for them on behalf of a transfer and turns key-service failures into store failures,
 * in this one place. The wait is bounded so a hung key service fails a transfer instead of holding
 * an FTP thread forever.
 */
public final class SessionKeys {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(SessionKeys.class);

  private final KeyOwner owner;
  private final DataKeys keys;

  public SessionKeys(KeyOwner owner, DataKeys keys) {
    this.owner = Objects.requireNonNull(owner, "owner");
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  public KeyOwner owner() {
    return owner;
  }

  /** The session's current key, for a new object. */
  UserKey forWriting() throws StoreException {
    return await(keys.forWriting(owner), "the current key of " + owner, true);
  }

  /** The key of an existing object, unwrapped for the session's {@code binding}. */
  DataKey forReading(WrappedKey key, KeyBinding binding, String objectKey) throws StoreException {
    return await(
        keys.forReading(key, binding), "the key of " + objectKey + " (" + key + ")", false);
  }

  private static <T> T await(CompletableFuture<T> future, String what, boolean writing)
      throws StoreException {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Reason.ABORTED, "Transfer interrupted while waiting for a key", e);
    } catch (TimeoutException e) {
      future.cancel(false);
      LOG.warn(
          "Key service did not deliver {} within {}s: check that the key service is up and"
              + " reachable from the gateway",
          what,
          TIMEOUT.toSeconds());
      throw unavailable(e);
    } catch (ExecutionException e) {
      throw map(e.getCause(), what, writing);
    }
  }

  private static StoreException map(Throwable cause, String what, boolean writing) {
    if (!(cause instanceof KeyServiceException failure)) {
      LOG.error(
          "Unexpected failure while resolving {}: check the key service configuration",
          what,
          cause);
      return unavailable(cause);
    }
    switch (failure.failure()) {
      case UNAVAILABLE:
        LOG.warn(
            "Key service unavailable while resolving {} ({}): check that it is up and reachable;"
                + " cached keys keep working meanwhile",
            what,
            failure.getMessage());
        return unavailable(failure);
      case REJECTED:
        LOG.error(
            "Key service refused {} ({}): the master key was revoked, disabled or is the wrong"
                + " one, or the wrapped key was made for another home and copied here; check the"
                + " master key and the gateway's permissions on it",
            what,
            failure.getMessage());
        return new StoreException(
            Reason.KEY_REJECTED,
            writing
                ? "The key service refused your data key"
                : "The key service refused this file's key",
            failure);
      case INVALID:
      default:
        if (writing) {
          // UserKeys has logged what it refused and what to do.
          return new StoreException(
              Reason.INTEGRITY,
              "integrity check failed: your key record was refused; the administrator must"
                  + " restore it or give you a new key",
              failure);
        }
        LOG.error(
            "Malformed key for {} ({}): the key metadata was damaged; restore the object or its"
                + " key record from a backup",
            what,
            failure.getMessage());
        return new StoreException(
            Reason.INTEGRITY, "integrity check failed: the file's key is malformed", failure);
    }
  }

  private static StoreException unavailable(Throwable cause) {
    return new StoreException(
        Reason.KEY_SERVICE_UNAVAILABLE, "Key service unavailable, try again later", cause);
  }
}
