package dev.dropzone.store.tree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.dropzone.store.transfer.CommitListener.Committed;
import java.time.Duration;
import java.util.Optional;

/**
 * Objects this gateway wrote a moment ago, as their writes stored them (version, size, metadata),
 * so a command that follows at once needs no HEAD to find them: clients that keep times (lftp's
 * mirror, rclone) send MFMT right after each STOR. Only a hint: every use is a request conditional
 * on the remembered ETag, and a refusal (the object changed or went away) sends the caller back to
 * a HEAD. One per store, small and short-lived; holds what a HEAD would show anyone with access to
 * the bucket (the wrapped data key, never a plain one).
 */
final class RecentWrites {

  static final Duration TTL = Duration.ofSeconds(30);

  /** A few KiB each at most (S3 caps metadata at 2 KiB). */
  private static final int MAX_ENTRIES = 2_000;

  private final Cache<String, Committed> recent =
      Caffeine.newBuilder()
          .expireAfterWrite(TTL)
          .maximumSize(MAX_ENTRIES)
          .executor(Runnable::run)
          .build();

  void remember(Committed committed) {
    recent.put(committed.key(), committed);
  }

  Optional<Committed> get(String key) {
    return Optional.ofNullable(recent.getIfPresent(key));
  }

  void forget(String key) {
    recent.invalidate(key);
  }
}
