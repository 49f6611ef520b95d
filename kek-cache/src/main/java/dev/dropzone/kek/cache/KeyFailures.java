package dev.dropzone.kek.cache;

import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Keeps the promise that every failed key future carries a {@link KeyServiceException}. */
final class KeyFailures {

  private KeyFailures() {}

  /**
   * The {@link KeyServiceException} behind {@code error}; anything else is a bug in a provider or
   * store, reported as REJECTED because retrying the same call would meet the same bug.
   */
  static KeyServiceException of(Throwable error, String context) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof KeyServiceException known) {
      return known;
    }
    return new KeyServiceException(
        Failure.REJECTED, context + " failed unexpectedly: " + cause, cause);
  }

  /** What an operator should do about a failure, for the log line that accompanies it. */
  static String advice(KeyServiceException e) {
    return switch (e.failure()) {
      case UNAVAILABLE ->
          "check that the key service and key record store are reachable; keys already cached keep"
              + " working";
      case REJECTED ->
          "check that this gateway uses the master key named in the key reference and may use it";
      case INVALID ->
          "the wrapped key in the object's metadata or the user's key record is damaged; restore"
              + " it from a backup";
    };
  }
}
