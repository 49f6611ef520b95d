package dev.dropzone.gateway.keys;

import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for key-service calls from the command line, where there is nothing to do meanwhile; a call
 * that hangs past the deadline fails as unavailable instead of blocking the command forever.
 */
public final class ServiceCalls {

  private final Duration timeout;

  public ServiceCalls(Duration timeout) {
    this.timeout = timeout;
  }

  /** The call's result, or its {@link KeyServiceException} with the provider's message. */
  public <T> T await(CompletableFuture<T> call, String operation)
      throws KeyServiceException, InterruptedException {
    try {
      return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KeyServiceException failure) {
        throw failure;
      }
      throw new KeyServiceException(
          Failure.UNAVAILABLE, operation + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new KeyServiceException(
          Failure.UNAVAILABLE, operation + " got no answer within " + timeout);
    }
  }
}
