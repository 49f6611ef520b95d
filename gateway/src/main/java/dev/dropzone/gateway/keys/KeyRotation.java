package dev.dropzone.gateway.keys;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;

/**
 * Gives a user a new data key for new uploads. Objects written before keep their own {@code
 * dz-key}, so they stay readable with no change; gateways already running pick the new key up when
 * their remembered key of that user expires.
 */
public final class KeyRotation {

  private final KeyService service;
  private final KeyRecordStore records;
  private final ServiceCalls calls;
  private final Clock clock;

  public KeyRotation(KeyService service, KeyRecordStore records, ServiceCalls calls, Clock clock) {
    this.service = service;
    this.records = records;
    this.calls = calls;
    this.clock = clock;
  }

  /** Replaces the key record of {@code user}; returns the new wrapped key (its ref names it). */
  public WrappedKey rotate(String user)
      throws KeyServiceException, IOException, InterruptedException {
    byte[] raw = StreamingKeys.newDataKey();
    try {
      WrappedKey wrapped =
          calls.await(service.wrap(raw.clone(), KeyBinding.user(user)), "wrap for " + user);
      records.replace(new KeyRecord(user, wrapped, clock.instant()));
      return wrapped;
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }
}
