package dev.dropzone.gateway.keys;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;

/**
 * Proves a key service works end to end: wraps a fresh random key and unwraps it again, as the
 * first upload of a new user would. Nothing is stored.
 */
public final class KeyCheck {

  /** The user the test key is bound to, so its ciphertext is never mistaken for a real user's. */
  static final String CHECK_USER = "#dropzone-check";

  /**
   * What one check found.
   *
   * @param keyRef the {@code dz-key-ref} new keys get
   * @param wrap how long the wrap call took
   * @param unwrap how long the unwrap call took
   */
  public record Result(String keyRef, Duration wrap, Duration unwrap) {}

  private final KeyService service;
  private final ServiceCalls calls;

  public KeyCheck(KeyService service, ServiceCalls calls) {
    this.service = service;
    this.calls = calls;
  }

  /**
   * @throws KeyServiceException with the provider's own message when either call fails or the
   *     unwrapped key differs from the one wrapped
   */
  public Result run() throws KeyServiceException, InterruptedException {
    byte[] raw = StreamingKeys.newDataKey();
    byte[] back = null;
    try {
      long start = System.nanoTime();
      WrappedKey wrapped =
          calls.await(service.wrap(raw.clone(), KeyBinding.user(CHECK_USER)), "wrap");
      long wrappedAt = System.nanoTime();
      back = calls.await(service.unwrap(wrapped, KeyBinding.user(CHECK_USER)), "unwrap");
      long end = System.nanoTime();
      if (!MessageDigest.isEqual(raw, back)) {
        throw new KeyServiceException(
            Failure.INVALID, "unwrap returned a different key than was wrapped");
      }
      return new Result(
          wrapped.ref(), Duration.ofNanos(wrappedAt - start), Duration.ofNanos(end - wrappedAt));
    } finally {
      Arrays.fill(raw, (byte) 0);
      if (back != null) {
        Arrays.fill(back, (byte) 0);
      }
    }
  }
}
