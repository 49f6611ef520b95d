package dev.dropzone.gateway.keys;

import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.Rewrapping;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.rewrap.StoredKeys;
import dev.dropzone.store.rewrap.StoredKeys.Outcome;
import dev.dropzone.store.rewrap.StoredKeys.StoredObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a master key rotation, moves every object's {@code dz-key} to the newest master key
 * version. One object's failure never stops the run; re-running picks up exactly what is left.
 */
public final class ObjectRewrap {

  private static final Logger LOG = LoggerFactory.getLogger(ObjectRewrap.class);

  /**
   * What a run did.
   *
   * @param outcomes how many objects ended in each outcome
   * @param failures one line per object that could not be rewrapped: its key and why
   */
  public record Summary(Map<Outcome, Integer> outcomes, List<String> failures) {
    public int count(Outcome outcome) {
      return outcomes.getOrDefault(outcome, 0);
    }
  }

  private final StoredKeys stored;
  private final KeyService service;
  private final ServiceCalls calls;

  public ObjectRewrap(StoredKeys stored, KeyService service, ServiceCalls calls) {
    this.stored = stored;
    this.service = service;
    this.calls = calls;
  }

  /**
   * Rewraps {@code objects} to {@code currentRef} (the reference a fresh wrap gets, see {@link
   * KeyCheck}); {@code progress} runs once per object handled, failed ones included.
   */
  public Summary run(List<StoredObject> objects, String currentRef, Runnable progress)
      throws InterruptedException {
    Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    List<String> failures = new ArrayList<>();
    for (StoredObject object : objects) {
      try {
        Outcome outcome = stored.rewrap(object, currentRef, this::rewrap);
        outcomes.merge(outcome, 1, Integer::sum);
      } catch (StoreException | KeyServiceException e) {
        failures.add(object.key() + ": " + e.getMessage());
        LOG.warn("Could not rewrap {}: {}", object.key(), e.getMessage());
      }
      progress.run();
    }
    return new Summary(outcomes, failures);
  }

  private WrappedKey rewrap(WrappedKey old, String user)
      throws KeyServiceException, InterruptedException {
    if (service instanceof Rewrapping inside) {
      // The data key never leaves the service in the clear.
      return calls.await(inside.rewrap(old, user), "rewrap for " + user);
    }
    byte[] raw = calls.await(service.unwrap(old, user), "unwrap for " + user);
    try {
      return calls.await(service.wrap(raw, user), "wrap for " + user);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }
}
