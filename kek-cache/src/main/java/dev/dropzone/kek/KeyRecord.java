package dev.dropzone.kek;

import dev.dropzone.kek.format.RecordFields;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;

/**
 * The wrapped current data key of one user, as kept in {@code .dropzone/keys/<user>.json}.
 *
 * <p>Version 1 records hold the key wrapped for the user name and nothing else. Version 2 records
 * hold it wrapped for the key domain, with the domain, an epoch that grows with every new key of
 * the user, and a MAC under a key derived from the data key itself over user, domain, epoch and
 * creation time: a record edited, put under another user's name or replaced by an older one is
 * recognised by the reader (see {@code UserKeys}).
 *
 * @param version 1 or 2
 * @param user the owner named inside the record (compared with the user asked for)
 * @param domain the key domain the key is wrapped for; null in version 1
 * @param epoch 1 for a user's first v2 key, one more for every later one; 0 in version 1
 * @param key the wrapped data key used for new uploads
 * @param created when this key was generated (whole milliseconds in version 2)
 * @param mac Base64 of the record's MAC; null in version 1
 */
public record KeyRecord(
    int version,
    String user,
    String domain,
    long epoch,
    WrappedKey key,
    Instant created,
    String mac) {

  public KeyRecord {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(created, "created");
    if (version == 2) {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(mac, "mac");
      if (epoch < 1) {
        throw new IllegalArgumentException("a v2 key record's epoch starts at 1, not " + epoch);
      }
    } else if (version != 1 || domain != null || mac != null || epoch != 0) {
      throw new IllegalArgumentException("version " + version + " with v2 fields or unknown");
    }
  }

  /** A version 1 record (still read; never written for new keys). */
  public static KeyRecord v1(String user, WrappedKey key, Instant created) {
    return new KeyRecord(1, user, null, 0, key, created, null);
  }

  /** A version 2 record with its MAC. */
  public static KeyRecord v2(RecordFields fields, WrappedKey key, byte[] mac) {
    return new KeyRecord(
        2,
        fields.user(),
        fields.domain(),
        fields.epoch(),
        key,
        fields.created(),
        Base64.getEncoder().encodeToString(mac));
  }

  /** The creation time a v2 record stores and authenticates: whole milliseconds. */
  public static Instant createdAt(Instant now) {
    return now.truncatedTo(ChronoUnit.MILLIS);
  }

  public boolean isV2() {
    return version == 2;
  }

  /** What the MAC of a v2 record covers. */
  public RecordFields fields() {
    requireV2();
    return new RecordFields(user, domain, epoch, created);
  }

  /** The MAC's bytes; a malformed value yields bytes that verify nothing. */
  public byte[] macBytes() {
    requireV2();
    try {
      return Base64.getDecoder().decode(mac);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }

  /** What the key is wrapped for: the user name (v1) or the key domain (v2). */
  public KeyBinding binding() {
    return isV2() ? KeyBinding.domain(domain) : KeyBinding.user(user);
  }

  /** This record with its key wrapped anew (rewrap); the MAC does not cover the wrapped key. */
  public KeyRecord withKey(WrappedKey rewrapped) {
    return new KeyRecord(version, user, domain, epoch, rewrapped, created, mac);
  }

  private void requireV2() {
    if (!isV2()) {
      throw new IllegalStateException("a version 1 key record has no MAC");
    }
  }
}
