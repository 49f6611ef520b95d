package dev.dropzone.kek.http;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * A bound on concurrent requests that never blocks a thread: a caller over the limit gets a future
 * that completes when an earlier request releases its slot.
 */
final class InFlightLimit {

  private final int limit;
  private final Queue<CompletableFuture<Void>> waiting = new ArrayDeque<>();
  private int inFlight;

  InFlightLimit(int limit) {
    this.limit = limit;
  }

  /** Completes when the caller holds a slot; it must {@link #release()} it exactly once. */
  synchronized CompletableFuture<Void> acquire() {
    if (inFlight < limit) {
      inFlight++;
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> turn = new CompletableFuture<>();
    waiting.add(turn);
    return turn;
  }

  void release() {
    CompletableFuture<Void> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        inFlight--;
        return;
      }
    }
    // The slot passes straight to the next caller; completed outside the lock because the
    // caller's continuation runs here.
    next.complete(null);
  }
}
