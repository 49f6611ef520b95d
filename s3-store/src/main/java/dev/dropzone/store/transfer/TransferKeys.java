package dev.dropzone.store.transfer;

import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for keys on behalf of a transfer and turns key-service failures into store failures. The
 * wait is bounded so a hung key service fails a transfer instead of holding an FTP thread forever.
 */
final class TransferKeys {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(TransferKeys.class);

  private TransferKeys() {}

  static UserKey forWriting(DataKeys keys, String user) throws StoreException {
    return await(keys.forWriting(user), "the current key of user " + user);
  }

  static DataKey forReading(DataKeys keys, WrappedKey key, KeyBinding binding, String objectKey)
      throws StoreException {
    return await(keys.forReading(key, binding), "the key of " + objectKey + " (" + key + ")");
  }

  private static <T> T await(CompletableFuture<T> future, String what) throws StoreException {
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
      throw map(e.getCause(), what);
    }
  }

  private static StoreException map(Throwable cause, String what) {
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
            "Key service refused {} ({}): check the master key (revoked, disabled, wrong"
                + " provider) and the gateway's permissions on it",
            what,
            failure.getMessage());
        return new StoreException(
            Reason.KEY_REJECTED, "The key service refused this file's key", failure);
      case INVALID:
      default:
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
