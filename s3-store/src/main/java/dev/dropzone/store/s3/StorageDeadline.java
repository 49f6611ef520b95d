package dev.dropzone.store.s3;

import java.time.Duration;
import java.util.Objects;

/**
 * The time the S3 calls of one FTP command may take together, retries and back-off included, so a
 * command against an unresponsive S3 ends with a reply within that time instead of waiting out
 * every retry's socket timeout. It belongs to the thread that runs the command: every S3 call the
 * thread makes while a scope is open gets the time left as its API call timeout (see {@link
 * DeadlineInterceptor}), and a call that would start after the deadline fails at once.
 *
 * <p>Scopes nest: {@link #within} joins the deadline already running on the thread, so a command's
 * deadline also covers the tree operations it calls. {@link #restart} replaces it for work whose S3
 * calls grow with the data (the next page of a long listing): each such call gets the full time
 * again, as long as S3 keeps answering. Data transfers run outside any scope and keep their own
 * rules.
 */
public final class StorageDeadline {

  private static final ThreadLocal<StorageDeadline> CURRENT = new ThreadLocal<>();

  /** An open deadline on the current thread; closing it restores what was there before. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  private final Duration length;
  private final long expiresAt;
  private volatile String stalledCall;

  private StorageDeadline(Duration length) {
    this.length = length;
    this.expiresAt = System.nanoTime() + length.toNanos();
  }

  /** A deadline of {@code length} from now, unless the thread already runs under one. */
  public static Scope within(Duration length) {
    return CURRENT.get() != null ? () -> {} : install(new StorageDeadline(check(length)));
  }

  /** A deadline of {@code length} from now, in place of the thread's current one until closed. */
  public static Scope restart(Duration length) {
    return install(new StorageDeadline(check(length)));
  }

  /**
   * The thread's current deadline, or null; {@link #adopt} carries it to another thread that works
   * for the same command.
   */
  public static StorageDeadline current() {
    return CURRENT.get();
  }

  /** Runs the calling thread under {@code deadline} (none if null) until the scope is closed. */
  public static Scope adopt(StorageDeadline deadline) {
    return install(deadline);
  }

  private static Scope install(StorageDeadline deadline) {
    StorageDeadline previous = CURRENT.get();
    CURRENT.set(deadline);
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  private static Duration check(Duration length) {
    Objects.requireNonNull(length, "length");
    if (length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("deadline must be longer than 0, not " + length);
    }
    return length;
  }

  /** The deadline's full length, as configured. */
  public Duration length() {
    return length;
  }

  /** Time left; zero or negative once it has passed. */
  Duration remaining() {
    return Duration.ofNanos(expiresAt - System.nanoTime());
  }

  /** Remembers the call that was running when the deadline passed, for the failure message. */
  void stalled(String call) {
    stalledCall = call;
  }

  /** The call that was running when the deadline passed, or null. */
  String stalledCall() {
    return stalledCall;
  }
}
