package dev.dropzone.kek.testing;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.WrappedKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fault injector around a real key service: counts unwrap calls, can hold unwraps until released
 * (so concurrent requests really overlap) and can fail them as an outage would.
 */
public final class InstrumentedKeyService implements KeyService {

  private final KeyService delegate;
  private final AtomicInteger unwraps = new AtomicInteger();
  private final AtomicInteger wraps = new AtomicInteger();
  private final AtomicReference<CompletableFuture<Void>> gate =
      new AtomicReference<>(CompletableFuture.completedFuture(null));
  private volatile Exception failure;

  public InstrumentedKeyService(KeyService delegate) {
    this.delegate = delegate;
  }

  /** Unwraps wait from now on until {@link #release()}. */
  public void hold() {
    gate.set(new CompletableFuture<>());
  }

  public void release() {
    gate.get().complete(null);
  }

  /**
   * Unwraps fail with {@code failure} from now on, until {@link #heal()}: a {@link
   * KeyServiceException} as a provider reports an outage or refusal, anything else as a provider
   * bug would surface.
   */
  public void failWith(Exception failure) {
    this.failure = failure;
  }

  public void heal() {
    this.failure = null;
  }

  public int unwrapCount() {
    return unwraps.get();
  }

  public int wrapCount() {
    return wraps.get();
  }

  @Override
  public String masterKeyId() {
    return delegate.masterKeyId();
  }

  @Override
  public CompletableFuture<WrappedKey> wrap(byte[] dataKey, KeyBinding binding) {
    wraps.incrementAndGet();
    return delegate.wrap(dataKey, binding);
  }

  @Override
  public CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding) {
    unwraps.incrementAndGet();
    // The failure is decided when the gate opens, so a held unwrap can fail late, as a timeout
    // does.
    return gate.get()
        .thenCompose(
            open -> {
              Exception injected = failure;
              return injected != null
                  ? CompletableFuture.failedFuture(injected)
                  : delegate.unwrap(wrapped, binding);
            });
  }
}
