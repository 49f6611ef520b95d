package dev.dropzone.gateway.users;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The heap, in KiB, that the Argon2id hashes being checked at once may hold together. The password
 * checks' threads are counted for the 19 MiB of Dropzone's own hashes; an imported hash may ask for
 * more, and then fewer of them run at once instead of all of them running the heap out.
 */
final class HashMemory {

  private final int totalKib;
  private final Duration wait;
  private final Semaphore free;

  /**
   * @param wait the longest a check waits for its memory before its login is answered as
   *     unavailable: a check thread held longer would keep every other login waiting
   */
  HashMemory(long totalKib, Duration wait) {
    this.totalKib = (int) Math.min(Integer.MAX_VALUE, totalKib);
    this.wait = wait;
    // Not fair: a check that fits goes ahead of a large one still waiting for room, so a user
    // with a large hash (whose name anyone may try) delays only its own logins.
    this.free = new Semaphore(this.totalKib);
  }

  /**
   * Takes {@code kib} until the reservation is closed, waiting for them at most the configured
   * time.
   *
   * @throws UnavailableException when {@code kib} is more than there is in all, or did not come
   *     free in time
   */
  Reservation reserve(int kib) {
    if (kib > totalKib) {
      throw new UnavailableException(
          "its Argon2id check needs "
              + kib
              + " KiB, more than the "
              + totalKib
              + " KiB password checks may use at once (an eighth of the heap)");
    }
    int taken = Math.max(0, kib);
    boolean got;
    try {
      got = free.tryAcquire(taken, wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      got = false;
    }
    if (!got) {
      throw new UnavailableException(
          "its Argon2id check waited "
              + wait.toSeconds()
              + " s for "
              + kib
              + " KiB of the password checks' memory while others used it");
    }
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

  /** A check that cannot have the memory its hash needs: its login cannot be decided now. */
  static final class UnavailableException extends IllegalStateException {
    UnavailableException(String message) {
      super(message);
    }
  }
}
