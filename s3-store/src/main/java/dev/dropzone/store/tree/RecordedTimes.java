package dev.dropzone.store.tree;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.s3.StoredVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>What this gateway writes (uploads, times it sets) is remembered at once, without a HEAD: it
 * knows the time it recorded, and the write's response names the version (its ETag, and the
 * storage's clock, which dates the object no later than its answer). A later listing that shows
 * that ETag with a Last-Modified up to then shows the recorded time, so listing what this gateway
 * just stored costs no request per file. Only another gateway setting the time of the same object
 * within that same second goes unseen here (same ETag, same second), until the object changes or
 * the entry is evicted; MDTM always reads the stored time.
 */
final class RecordedTimes {

  /** About 200 bytes an entry: 100,000 remembered files cost ~20 MB. */
  private static final long MAX_REMEMBERED = 100_000;

  /** How old an object version must be before its time is remembered. */
  static final Duration SETTLED = Duration.ofSeconds(5);

  /**
   * One stored version of an object, as a listing or a HEAD names it; the ETag without the quotes
   * some servers and responses put around it, so versions from either compare equal.
   */
  record Version(String key, String eTag, Instant lastModified) {
    Version {
      eTag = eTag == null ? null : unquoted(eTag);
      lastModified = lastModified == null ? null : lastModified.truncatedTo(ChronoUnit.SECONDS);
    }
  }

  /**
   * A time and the object version it belongs to: exactly {@code version} (found by a HEAD), or, for
   * what this gateway wrote, any version with its ETag and a Last-Modified up to {@code notAfter}.
   */
  private record Remembered(Version version, Instant notAfter, Instant time) {

    boolean matches(Version listed) {
      if (notAfter == null) {
        return version.equals(listed);
      }
      return sameETag(version.eTag(), listed.eTag())
          && listed.lastModified() != null
          && !listed.lastModified().isAfter(notAfter);
    }
  }

  /** After this, another gateway may have kept newer times of a directory: read them again. */
  static final Duration KEPT_READ_AGAIN = Duration.ofMinutes(10);

  private final Cache<String, Remembered> known =
      Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).build();
  private final Cache<String, Boolean> keptRead =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(KEPT_READ_AGAIN).build();
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

  /**
   * The time remembered for exactly {@code version}, if any. What this gateway wrote is, once a
   * listing shows its settled version, remembered for exactly that version from then on, so that
   * {@link #keptUnder} can name it.
   */
  Optional<Instant> known(Version version) {
    Remembered remembered = known.getIfPresent(version.key());
    if (remembered == null || !remembered.matches(version)) {
      return Optional.empty();
    }
    if (remembered.notAfter() != null && settled(version)) {
      known
          .asMap()
          .replace(version.key(), remembered, new Remembered(version, null, remembered.time()));
    }
    return Optional.of(remembered.time());
  }

  /**
   * What {@link KeptTimes} may keep of the directory whose keys start with {@code dirPrefix}: the
   * files directly in it whose time is remembered for an exact, settled version. Walks everything
   * remembered, so it runs only when a listing is kept, not per entry.
   */
  List<KeptTimes.Entry> keptUnder(String dirPrefix) {
    List<KeptTimes.Entry> entries = new ArrayList<>();
    known
        .asMap()
        .forEach(
            (key, remembered) -> {
              Version version = remembered.version();
              if (remembered.notAfter() == null
                  && key.startsWith(dirPrefix)
                  && key.indexOf('/', dirPrefix.length()) < 0
                  && key.length() > dirPrefix.length()
                  && settled(version)) {
                entries.add(
                    new KeptTimes.Entry(
                        key.substring(dirPrefix.length()),
                        version.eTag(),
                        version.lastModified(),
                        remembered.time()));
              }
            });
    return entries;
  }

  /** Remembers {@code time} for {@code version}, unless that version is too young to trust. */
  void remember(Version version, Instant time) {
    if (settled(version)) {
      known.put(version.key(), new Remembered(version, null, time));
    }
  }

  /** True once {@code version} is old enough that no gateway still sets its time. */
  boolean settled(Version version) {
    return version.lastModified() != null
        && version.lastModified().isBefore(clock.instant().minus(SETTLED));
  }

  /**
   * True the first time in {@link #KEPT_READ_AGAIN} that a listing of {@code dirPrefix} asks for
   * its {@link KeptTimes}: a directory's kept times are read once, not by every listing that meets
   * a file it does not know yet.
   */
  boolean firstAskFor(String dirPrefix) {
    return keptRead.asMap().putIfAbsent(dirPrefix, Boolean.TRUE) == null;
  }

  /**
   * Remembers {@code time}, which this gateway just recorded in the object at {@code key} (an
   * upload, a time set), for the version the write's response named: no HEAD needs to find it.
   */
  void written(String key, StoredVersion stored, Instant time) {
    Version version = new Version(key, stored.eTag(), null);
    Instant notAfter = stored.notAfter().truncatedTo(ChronoUnit.SECONDS);
    known.put(key, new Remembered(version, notAfter, time));
  }

  /** ETags compared without the quotes some servers and responses put around them. */
  private static boolean sameETag(String a, String b) {
    return a != null && b != null && unquoted(a).equals(unquoted(b));
  }

  static String unquoted(String eTag) {
    return eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
        ? eTag.substring(1, eTag.length() - 1)
        : eTag;
  }

  /** Forgets the time of {@code key}, whose object this gateway just rewrote. */
  void forget(String key) {
    known.invalidate(key);
  }
}
