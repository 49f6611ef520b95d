package dev.dropzone.gateway.users;

import java.util.concurrent.Semaphore;

/**
 * The heap, in KiB, that the Argon2id hashes being checked at once may hold together. The password
 * checks' threads are counted for the 19 MiB of Dropzone's own hashes; an imported hash may ask for
 * more, and then fewer of them run at once instead of all of them running the heap out.
 */
final class HashMemory {

  private final int totalKib;
  private final Semaphore free;

  HashMemory(long totalKib) {
    this.totalKib = (int) Math.min(Integer.MAX_VALUE, totalKib);
    this.free = new Semaphore(this.totalKib);
  }

  /**
   * Waits until {@code kib} are free and takes them until the reservation is closed.
   *
   * @throws TooLargeException when {@code kib} is more than there is in all
   */
  Reservation reserve(int kib) {
    if (kib > totalKib) {
      throw new TooLargeException(kib, totalKib);
    }
    int taken = Math.max(0, kib);
    free.acquireUninterruptibly(taken);
    return new Reservation(this, taken);
  }

  /** KiB not reserved now. */
  int freeKib() {
    return free.availablePermits();
  }

  /** Memory one check holds; closing gives it back. */
  record Reservation(HashMemory memory, int kib) implements AutoCloseable {
    @Override
    public void close() {
      memory.free.release(kib);
    }
  }

  /** A hash that needs more memory than the checks may hold together. */
  static final class TooLargeException extends IllegalStateException {
    TooLargeException(int neededKib, int totalKib) {
      super(
          "its Argon2id check needs "
              + neededKib
              + " KiB, more than the "
              + totalKib
              + " KiB password checks may use at once (an eighth of the heap)");
    }
  }
}
