package dev.dropzone.bench.child;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.WrappedKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** A key service that counts the calls reaching it, to show what the key cache saves. */
final class CountingKeyService implements KeyService {

  private final KeyService delegate;
  private final AtomicLong wraps = new AtomicLong();
  private final AtomicLong unwraps = new AtomicLong();

  CountingKeyService(KeyService delegate) {
    this.delegate = delegate;
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
    return delegate.unwrap(wrapped, binding);
  }

  long wraps() {
    return wraps.get();
  }

  long unwraps() {
    return unwraps.get();
  }
}
