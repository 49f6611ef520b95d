package dev.dropzone.kek;

import java.util.concurrent.CompletableFuture;

/**
 * An optional ability of a {@link KeyService}: re-encrypting a wrapped key under the master key's
 * newest version, inside the service where it can, so the data key never leaves it in the clear.
 * After a master key rotation this turns old wraps into new ones with one call each. A provider
 * whose service cannot rewrap a given binding in place (Vault Transit with associated data) says so
 * in its documentation and unwraps and wraps instead.
 */
public interface Rewrapping {

  /**
   * {@code wrapped} re-encrypted under the newest version of the master key that wrapped it, with
   * the same {@code binding}.
   */
  CompletableFuture<WrappedKey> rewrap(WrappedKey wrapped, KeyBinding binding);
}
