package dev.dropzone.kek;

import dev.dropzone.kek.format.DataKey;
import java.util.concurrent.CompletableFuture;

/**
 * What the storage layer needs from key management: a key to encrypt a session's new objects with,
 * and the ready key for the wrapped key an existing object carries. Failed futures carry a {@link
 * KeyServiceException}.
 */
public interface DataKeys {

  /** The owner's current key; created and recorded on first use. */
  CompletableFuture<UserKey> forWriting(KeyOwner owner);

  /**
   * The key for a wrapped key read from an object's metadata, unwrapped under {@code binding},
   * which the caller takes from the session, not from the object.
   */
  CompletableFuture<DataKey> forReading(WrappedKey key, KeyBinding binding);
}
