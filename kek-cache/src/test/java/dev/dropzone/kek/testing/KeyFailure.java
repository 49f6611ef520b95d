package dev.dropzone.kek.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Reads the {@link KeyServiceException} a key future failed with. */
public final class KeyFailure {

  private KeyFailure() {}

  /** The failure of {@code future}; an assertion error if it succeeds or fails otherwise. */
  public static KeyServiceException of(CompletableFuture<?> future) {
    try {
      Object value = future.get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a key service failure, got " + value);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof KeyServiceException failure) {
        return failure;
      }
      throw new AssertionError("expected a KeyServiceException, got " + cause, cause);
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no outcome within 30 s", e);
    }
  }

  /**
   * Asserts that unwrapping {@code ref} and {@code text} fails with {@code expected}; returns the
   * failure for further checks of its message.
   */
  public static KeyServiceException ofUnwrap(
      KeyService service, String ref, String text, Failure expected) {
    KeyServiceException failure =
        of(service.unwrap(new WrappedKey(ref, text), KeyBinding.user("u")));
    assertThat(failure.failure()).as(failure.getMessage()).isEqualTo(expected);
    return failure;
  }

  /**
   * Asserts that a key wrapped for one user is REJECTED when unwrapped for another, the binding
   * every provider with associated data must keep; returns the failure for checks of its message.
   */
  public static KeyServiceException ofAnotherUser(KeyService service) throws Exception {
    WrappedKey wrapped =
        service
            .wrap(StreamingKeys.newDataKey(), KeyBinding.user("carol"))
            .get(10, TimeUnit.SECONDS);
    KeyServiceException failure = of(service.unwrap(wrapped, KeyBinding.user("mallory")));
    assertThat(failure.failure()).as(failure.getMessage()).isEqualTo(Failure.REJECTED);
    return failure;
  }
}
