package dev.dropzone.store.tree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.dropzone.kek.format.ObjectFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * The modification time a file shows: the one its writer recorded ({@code dz-mtime}, set at upload
 * or by MFMT), else the storage's Last-Modified (files written before times were recorded, files
 * not written by Dropzone).
 *
 * <p>A listing carries no user metadata, so a listed file's recorded time takes a HEAD. What a HEAD
 * found is remembered per object version: its key, ETag and Last-Modified (to the second, as HEAD
 * gives it), which stay the same until the object is rewritten. A directory is then HEADed once per
 * file, not once per listing. Setting a time rewrites the object but may keep its ETag within the
 * same second, so this gateway forgets the key when it sets a time, and nothing younger than {@link
 * #SETTLED} is remembered at all (another gateway may still set its time). One per store, bounded;
 * holds nothing secret (the time is readable in the object's metadata anyway).
 */
final class RecordedTimes {

  /** About 200 bytes an entry: 100,000 remembered files cost ~20 MB. */
  private static final long MAX_REMEMBERED = 100_000;

  /** How old an object version must be before its time is remembered. */
  static final Duration SETTLED = Duration.ofSeconds(5);

  /** One stored version of an object, as a listing or a HEAD names it. */
  record Version(String key, String eTag, Instant lastModified) {
    Version {
      lastModified = lastModified == null ? null : lastModified.truncatedTo(ChronoUnit.SECONDS);
    }
  }

  private record Remembered(Version version, Instant time) {}

  private final Cache<String, Remembered> known =
      Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).build();
  private final Clock clock;

  RecordedTimes(Clock clock) {
    this.clock = clock;
  }

  /** The time recorded in {@code metadata}, else {@code lastModified}. */
  static Instant of(Map<String, String> metadata, Instant lastModified) {
    String recorded = metadata.get(ObjectFormat.META_MTIME);
    if (recorded == null) {
      return lastModified;
    }
    try {
      long millis = Long.parseLong(recorded);
      // A damaged value shows the storage's time; reading the file reports the damage.
      return millis < 0 ? lastModified : Instant.ofEpochMilli(millis);
    } catch (NumberFormatException e) {
      return lastModified;
    }
  }

  /** The time remembered for exactly {@code version}, if any. */
  Optional<Instant> known(Version version) {
    Remembered remembered = known.getIfPresent(version.key());
    return remembered != null && remembered.version().equals(version)
        ? Optional.of(remembered.time())
        : Optional.empty();
  }

  /** Remembers {@code time} for {@code version}, unless that version is too young to trust. */
  void remember(Version version, Instant time) {
    if (version.lastModified() != null
        && version.lastModified().isBefore(clock.instant().minus(SETTLED))) {
      known.put(version.key(), new Remembered(version, time));
    }
  }

  /** Forgets the time of {@code key}, whose object this gateway just rewrote. */
  void forget(String key) {
    known.invalidate(key);
  }
}
