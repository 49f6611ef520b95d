package dev.dropzone.store.transfer;

import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import java.util.concurrent.CompletableFuture;

/** Fault injection: a key service that fails every request the way a real one reports it. */
final class FailingKeys implements DataKeys {

  private final KeyServiceException.Failure failure;

  FailingKeys(KeyServiceException.Failure failure) {
    this.failure = failure;
  }

  @Override
  public CompletableFuture<UserKey> forWriting(KeyOwner owner) {
    return CompletableFuture.failedFuture(new KeyServiceException(failure, "injected " + failure));
  }

  @Override
  public CompletableFuture<DataKey> forReading(WrappedKey key, KeyBinding binding) {
    return CompletableFuture.failedFuture(new KeyServiceException(failure, "injected " + failure));
  }
}
