package dev.dropzone.store.tree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.dropzone.store.VirtualPath;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Directories one tree has recently seen exist, so a batch of uploads into one directory checks its
 * existence once every few seconds rather than with every file.
 *
 * <p>The check it saves was never atomic: S3 cannot create an object only if a prefix exists, so
 * another session could always remove the directory between the check and the upload. Remembering
 * the answer for {@link #TTL} widens that window by seconds, in exchange for one LIST per file. A
 * directory this tree removes or renames, or empties of its last file, is forgotten at once, and a
 * lookup that overlapped such a change is not remembered.
 */
final class KnownDirectories {

  static final Duration TTL = Duration.ofSeconds(5);

  private static final int MAX_ENTRIES = 1_000;

  private final Cache<VirtualPath, Boolean> seen;
  private final AtomicLong forgets = new AtomicLong();

  KnownDirectories() {
    this(Ticker.systemTicker());
  }

  KnownDirectories(Ticker ticker) {
    this.seen =
        Caffeine.newBuilder()
            .expireAfterWrite(TTL)
            .maximumSize(MAX_ENTRIES)
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  boolean recentlySeen(VirtualPath dir) {
    return seen.getIfPresent(dir) != null;
  }

  /** A mark to take before looking a directory up, for {@link #seen(VirtualPath, long)}. */
  long mark() {
    return forgets.get();
  }

  /** Remembers {@code dir}, unless something was forgotten since {@code mark} was taken. */
  void seen(VirtualPath dir, long mark) {
    // A lookup that started before a removal may have seen the directory the removal deleted.
    synchronized (this) {
      if (forgets.get() == mark) {
        seen.put(dir, Boolean.TRUE);
      }
    }
  }

  /** Forgets {@code dir} and everything below it. */
  void forget(VirtualPath dir) {
    synchronized (this) {
      forgets.incrementAndGet();
      seen.asMap().keySet().removeIf(dir::contains);
    }
  }
}
