package dev.dropzone.store.tree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Directories this gateway has seen exist in the last few seconds, and for those it has listed in
 * full (or created), the names of their subdirectories: enough to answer the checks before a new
 * file becomes visible (its parent exists, its name is not a directory) without a request, so a
 * batch of uploads into one directory costs one PutObject per file. One per store, shared by all
 * sessions, keyed by the directory's full key prefix.
 *
 * <p>The checks it saves were never atomic: S3 cannot create an object only if a prefix does not
 * exist, so another writer could always change the directory between the check and the upload.
 * Remembering the answer for {@link #TTL} widens that window to seconds. Within one gateway nothing
 * is stale: a directory this gateway creates is added, one it removes or renames is forgotten with
 * everything below it (and its parent's subdirectory names with it), and a lookup that overlapped
 * such a change is not remembered. Another gateway's (or tool's) change to the same directory is
 * seen once the entry expires. Servers that leave empty directory markers out of listings (see
 * {@link Directories}) cannot show such a directory in a listing either; an upload onto its name
 * within the TTL of a listing is then refused by the server, not by the check.
 */
final class KnownDirectories {

  static final Duration TTL = Duration.ofSeconds(5);

  /** Directories remembered at once; a listing with more subdirectories is remembered as seen. */
  static final int MAX_ENTRIES = 10_000;

  static final int MAX_SUBDIRECTORIES = 10_000;

  /**
   * What is known about one directory.
   *
   * @param subdirectories the names of every subdirectory, or null when only its existence is known
   * @param since the ticker's time when it was looked up: adding a subdirectory this gateway
   *     created keeps it, so the entry still expires {@link #TTL} after the lookup
   */
  private record Known(Set<String> subdirectories, long since) {}

  private final Cache<String, Known> known;
  private final Ticker ticker;
  private final AtomicLong forgets = new AtomicLong();

  KnownDirectories() {
    this(Ticker.systemTicker());
  }

  KnownDirectories(Ticker ticker) {
    this.ticker = ticker;
    this.known =
        Caffeine.newBuilder()
            .expireAfterWrite(TTL)
            .maximumSize(MAX_ENTRIES)
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  /** Whether the directory with key prefix {@code prefix} was seen a moment ago. */
  boolean recentlySeen(String prefix) {
    return fresh(prefix) != null;
  }

  /**
   * Whether {@code name} is a subdirectory of the directory at {@code prefix}: empty unless that
   * directory was listed in full or created a moment ago (its existence is then known too).
   */
  Optional<Boolean> isSubdirectory(String prefix, String name) {
    Known entry = fresh(prefix);
    if (entry == null || entry.subdirectories() == null) {
      return Optional.empty();
    }
    return Optional.of(entry.subdirectories().contains(name));
  }

  /**
   * A mark to take before looking a directory up, for the methods that remember: any change this
   * gateway makes to a directory afterwards (created, forgotten) makes the lookup not remembered.
   */
  long mark() {
    return forgets.get();
  }

  /** Remembers that {@code prefix} exists, unless something was forgotten since {@code mark}. */
  void seen(String prefix, long mark) {
    synchronized (this) {
      if (forgets.get() == mark) {
        if (fresh(prefix) == null) {
          known.put(prefix, new Known(null, ticker.read()));
        }
      }
    }
  }

  /**
   * Remembers a complete listing of {@code prefix}: it exists and has exactly these subdirectories
   * (unless something was forgotten since {@code mark}, or there are too many to keep).
   */
  void listed(String prefix, Set<String> subdirectories, long mark) {
    Known entry =
        new Known(
            subdirectories.size() > MAX_SUBDIRECTORIES ? null : Set.copyOf(subdirectories),
            ticker.read());
    synchronized (this) {
      if (forgets.get() == mark) {
        known.put(prefix, entry);
      }
    }
  }

  /**
   * This gateway just created the directory {@code name} in {@code parent} (both key prefixes): it
   * exists with no subdirectory, and the parent, if known, has one more.
   */
  void created(String parent, String name, long mark) {
    synchronized (this) {
      if (forgets.get() != mark) {
        return;
      }
      // A listing of the parent still running may have missed the new directory.
      forgets.incrementAndGet();
      known.put(parent + name + "/", new Known(Set.of(), ticker.read()));
      Known above = fresh(parent);
      if (above != null && above.subdirectories() != null) {
        Set<String> more = new HashSet<>(above.subdirectories());
        more.add(name);
        known.put(parent, new Known(Set.copyOf(more), above.since()));
      }
    }
  }

  /**
   * Forgets the directory at {@code prefix}, everything below it, and the directory it is in (whose
   * subdirectories changed).
   */
  void forget(String prefix) {
    synchronized (this) {
      forgets.incrementAndGet();
      known.asMap().keySet().removeIf(key -> key.startsWith(prefix));
      String parent = parentOf(prefix);
      if (parent != null) {
        known.invalidate(parent);
      }
    }
  }

  /** The entry for {@code prefix} if it was looked up less than {@link #TTL} ago. */
  private Known fresh(String prefix) {
    Known entry = known.getIfPresent(prefix);
    return entry != null && ticker.read() - entry.since() < TTL.toNanos() ? entry : null;
  }

  /** The prefix of the directory above {@code prefix}, or null at the top of the key space. */
  private static String parentOf(String prefix) {
    int slash = prefix.lastIndexOf('/', prefix.length() - 2);
    return slash < 0 ? null : prefix.substring(0, slash + 1);
  }
}
