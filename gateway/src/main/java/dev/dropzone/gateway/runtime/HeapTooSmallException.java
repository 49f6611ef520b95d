package dev.dropzone.gateway.runtime;

/**
 * The JVM's heap cannot hold what the settings let the gateway do at once; the message says how
 * much heap is needed and which settings drive it. Thrown at start, before anything listens.
 */
public final class HeapTooSmallException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  HeapTooSmallException(String message) {
    super(message);
  }
}
