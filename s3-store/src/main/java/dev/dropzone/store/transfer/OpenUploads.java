package dev.dropzone.store.transfer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many multipart uploads this process has started and not yet completed or aborted, for
 * monitoring: a number that only grows means uploads are left behind for the sweeper.
 */
final class OpenUploads {

  private final AtomicInteger open = new AtomicInteger();

  void started() {
    open.incrementAndGet();
  }

  void ended() {
    open.decrementAndGet();
  }

  int count() {
    return open.get();
  }
}
