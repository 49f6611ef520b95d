package dev.dropzone.gateway.users;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The heap, in KiB, that the Argon2id hashes being checked at once may hold together. The password
 * checks' threads are counted for the 19 MiB of Dropzone's own hashes; an imported hash may ask for
 * more, and then fewer of them run at once instead of all of them running the heap out.
 *
 * <p>Every release wakes every waiting check, and each takes its memory as soon as it fits: a
 * standard check never waits behind a large one that does not fit yet, so a user with a large hash
 * (whose name anyone may try) delays only its own logins.
 */
final class HashMemory {

  private final int totalKib;
  private final Duration wait;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();
  private int freeKib;

  /**
   * @param wait the longest a check waits for its memory before its login is answered as
   *     unavailable: a check thread held longer would keep every other login waiting
   */
  HashMemory(long totalKib, Duration wait) {
    this.totalKib = (int) Math.min(Integer.MAX_VALUE, totalKib);
    this.wait = wait;
    this.freeKib = this.totalKib;
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
      throw new UnavailableException(tooLarge(kib));
    }
    int taken = Math.max(0, kib);
    long left = wait.toNanos();
    lock.lock();
    try {
      while (freeKib < taken) {
        if (left <= 0) {
          throw new UnavailableException(
              "its Argon2id check waited "
                  + wait.toSeconds()
                  + " s for "
                  + kib
                  + " KiB of the password checks' memory while others used it");
        }
        left = released.awaitNanos(left);
      }
      freeKib -= taken;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("its Argon2id check was interrupted while waiting for memory");
    } finally {
      lock.unlock();
    }
    return new Reservation(this, taken);
  }

  /** Why a hash of {@code kib} can never be checked here, or null when it can. */
  String tooLarge(int kib) {
    return kib <= totalKib
        ? null
        : "its Argon2id check needs "
            + kib
            + " KiB, more than the "
            + totalKib
            + " KiB password checks may use at once (an eighth of the heap)";
  }

  /** Checks waiting for memory now. */
  int waiting() {
    lock.lock();
    try {
      return lock.getWaitQueueLength(released);
    } finally {
      lock.unlock();
    }
  }

  /** KiB not reserved now. */
  int freeKib() {
    lock.lock();
    try {
      return freeKib;
    } finally {
      lock.unlock();
    }
  }

  private void release(int kib) {
    lock.lock();
    try {
      freeKib += kib;
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Memory one check holds; closing gives it back. */
  record Reservation(HashMemory memory, int kib) implements AutoCloseable {
    @Override
    public void close() {
      memory.release(kib);
    }
  }

  /** A check that cannot have the memory its hash needs: its login cannot be decided now. */
  static final class UnavailableException extends IllegalStateException {
    UnavailableException(String message) {
      super(message);
    }
  }
}
