package dev.dropzone.kek;

import java.util.concurrent.CompletableFuture;

/**
 * A service that wraps and unwraps user data keys with a master key it never reveals.
 *
 * <p>Results are asynchronous because production providers are remote (Vault, KMS, EaaS). A failed
 * future always carries a {@link KeyServiceException}, so callers can tell an outage from a refusal
 * without parsing messages.
 */
public interface KeyService {

  /**
   * Names the provider and the master key this service wraps new keys with, as it appears in the
   * {@code dz-key-ref} object metadata, e.g. {@code local:1234567} or {@code
   * vault:transit/dropzone}.
   */
  String masterKeyId();

  /**
   * Wraps a raw data key bound to {@code binding}. Providers that support it authenticate the
   * binding with the ciphertext (AAD or encryption context), so a wrapped key cannot be reused
   * under another binding.
   */
  CompletableFuture<WrappedKey> wrap(byte[] dataKey, KeyBinding binding);

  /**
   * Unwraps {@code wrapped} for {@code binding}, which must come from the caller's own context (the
   * session), never from the stored object. The returned array is owned by the caller, who should
   * wipe it.
   */
  CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding);
}
