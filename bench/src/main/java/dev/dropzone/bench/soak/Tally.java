package dev.dropzone.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened during a soak run, counted from every thread: each operation by its outcome (a
 * reply code, {@code ok}, or {@code io} for a connection that broke or timed out), and every
 * violation of what the gateway promises, which fails the run.
 */
final class Tally {

  /** At most this many violations are kept word for word; all are counted. */
  private static final int KEPT = 50;

  private final Map<String, Map<String, LongAdder>> outcomes = new ConcurrentHashMap<>();
  private final List<String> violations = new ArrayList<>();
  private final AtomicLong violationCount = new AtomicLong();
  private final LongAdder bytesUp = new LongAdder();
  private final LongAdder bytesVerified = new LongAdder();
  private final ConcurrentSkipListSet<String> replies = new ConcurrentSkipListSet<>();
  private final Map<String, AtomicLong> longest = new ConcurrentHashMap<>();

  void count(String operation, String outcome) {
    outcomes
        .computeIfAbsent(operation, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(outcome, k -> new LongAdder())
        .increment();
  }

  /** How long one operation took until its final reply, for the longest wait per operation. */
  void took(String operation, long nanos) {
    longest.computeIfAbsent(operation, k -> new AtomicLong()).accumulateAndGet(nanos, Math::max);
  }

  /** Operation → the longest it took, in seconds. */
  Map<String, Double> longestSeconds() {
    Map<String, Double> seconds = new TreeMap<>();
    longest.forEach((op, nanos) -> seconds.put(op, Math.round(nanos.get() / 1e8) / 10.0));
    return seconds;
  }

  /**
   * A reply text the clients met, without numbers and parenthesised lists, so the report shows the
   * kinds of refusal.
   */
  void reply(String text) {
    if (replies.size() < 200) {
      String kind = text.strip().replaceAll("\\([^)]*\\)", "(…)").replaceAll("[0-9]+", "#");
      replies.add(kind.length() > 220 ? kind.substring(0, 220) + "…" : kind);
    }
  }

  void violation(String what) {
    violationCount.incrementAndGet();
    synchronized (violations) {
      if (violations.size() < KEPT) {
        violations.add(what);
      }
    }
  }

  void uploaded(long bytes) {
    bytesUp.add(bytes);
  }

  void verified(long bytes) {
    bytesVerified.add(bytes);
  }

  long bytesUploaded() {
    return bytesUp.sum();
  }

  long bytesVerified() {
    return bytesVerified.sum();
  }

  long violationCount() {
    return violationCount.get();
  }

  List<String> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }

  List<String> replyKinds() {
    return List.copyOf(replies);
  }

  /** Operation → outcome → count, sorted. */
  Map<String, Map<String, Long>> outcomes() {
    Map<String, Map<String, Long>> copy = new TreeMap<>();
    outcomes.forEach(
        (op, byOutcome) -> {
          Map<String, Long> counts = new TreeMap<>();
          byOutcome.forEach((outcome, n) -> counts.put(outcome, n.sum()));
          copy.put(op, counts);
        });
    return copy;
  }
}
