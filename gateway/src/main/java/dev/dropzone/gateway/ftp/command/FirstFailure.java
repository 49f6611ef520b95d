package dev.dropzone.gateway.ftp.command;

import dev.dropzone.store.StoreException;
import java.io.IOException;

/**
 * The first store failure of a stream that MINA's data connection drives. MINA closes the socket
 * when a transfer fails and then flushes in a {@code finally}; the "Socket closed" from that flush
 * replaces the real cause (an integrity or key-service failure) unless it was kept here.
 */
final class FirstFailure {

  /** One stream operation. */
  @FunctionalInterface
  interface Operation<T> {
    T run() throws IOException;
  }

  private volatile StoreException failure;

  <T> T watch(Operation<T> operation) throws IOException {
    StoreException earlier = failure;
    if (earlier != null) {
      throw earlier;
    }
    try {
      return operation.run();
    } catch (StoreException e) {
      failure = e;
      throw e;
    }
  }

  /** The first store failure, or null. */
  StoreException get() {
    return failure;
  }

  /** What really ended a transfer that failed with {@code e}: a store failure, or null. */
  StoreException causeOf(IOException e) {
    StoreException first = failure;
    if (first != null) {
      return first;
    }
    return e instanceof StoreException store ? store : null;
  }
}
