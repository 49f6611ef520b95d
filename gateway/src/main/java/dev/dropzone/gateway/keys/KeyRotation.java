package dev.dropzone.gateway.keys;

import dev.dropzone.kek.DamagedKeyRecordException;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.cache.KeyIssuer;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * Gives a user a new data key for new uploads: a version 2 key record with the next epoch, for the
 * user's home. Objects written before keep their own {@code dz-key}, so they stay readable with no
 * change; gateways already running pick the new key up when their remembered key of that user
 * expires, and from then on refuse the older record if someone puts it back.
 */
public final class KeyRotation {

  /**
   * What a rotation did.
   *
   * @param key the new wrapped key (its ref names the master key)
   * @param domain the key domain it is wrapped for
   * @param epoch the new record's epoch
   */
  public record Rotated(WrappedKey key, String domain, long epoch) {}

  private final KeyIssuer issuer;
  private final KeyRecordStore records;
  private final ServiceCalls calls;
  private final UserHomes homes;

  public KeyRotation(
      KeyService service,
      KeyRecordStore records,
      ServiceCalls calls,
      Clock clock,
      UserHomes homes) {
    this.issuer = new KeyIssuer(service, clock);
    this.records = records;
    this.calls = calls;
    this.homes = homes;
  }

  /**
   * Replaces the key record of {@code user}. The domain is the user's home in the users file, else
   * the domain of the user's current version 2 record, else {@code users/<user>}; the epoch is one
   * above the current record's (1 after a version 1 record or none).
   */
  public Rotated rotate(String user) throws KeyServiceException, IOException, InterruptedException {
    Optional<KeyRecord> current = current(user);
    String domain =
        homes
            .listed(user)
            .or(() -> current.filter(KeyRecord::isV2).map(KeyRecord::domain))
            .orElseGet(() -> homes.of(user));
    long epoch = current.map(KeyRecord::epoch).orElse(0L) + 1;
    KeyIssuer.Issued issued =
        calls.await(issuer.issue(new KeyOwner(user, domain), epoch), "wrap for " + user);
    records.replace(issued.record());
    return new Rotated(issued.record().key(), domain, epoch);
  }

  /**
   * The record being replaced; a damaged one counts as absent, since rotating is how it is mended
   * (gateways that saw a higher epoch than the new one refuse it until they restart).
   */
  private Optional<KeyRecord> current(String user) throws IOException {
    try {
      return records.read(user);
    } catch (DamagedKeyRecordException e) {
      return Optional.empty();
    }
  }
}
