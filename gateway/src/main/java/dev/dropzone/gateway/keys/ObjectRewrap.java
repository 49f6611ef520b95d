package dev.dropzone.gateway.keys;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.Rewrapping;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.store.rewrap.StoredKeys;
import dev.dropzone.store.rewrap.StoredKeys.Outcome;
import dev.dropzone.store.rewrap.StoredKeys.StoredObject;
import java.util.Arrays;
import java.util.List;

/**
 * After a master key rotation, moves every key record's and every object's wrapped key to the
 * newest master key version, each with the binding it already has (a v1 object's user, a v2
 * object's or record's key domain). One item's failure never stops the run; re-running picks up
 * exactly what is left.
 */
public final class ObjectRewrap {

  private final StoredKeys stored;
  private final KeyService service;
  private final ServiceCalls calls;
  private final ObjectRun<Outcome> runner;

  /**
   * @param parallelism items handled at once (see {@link ObjectRun})
   */
  public ObjectRewrap(StoredKeys stored, KeyService service, ServiceCalls calls, int parallelism) {
    this.stored = stored;
    this.service = service;
    this.calls = calls;
    this.runner = new ObjectRun<>(Outcome.class, parallelism, "rewrap");
  }

  /**
   * Rewraps {@code objects} to {@code currentRef} (the reference a fresh wrap gets, see {@link
   * KeyCheck}); {@code progress} runs once per object handled, failed ones included.
   */
  public ObjectRun.Summary<Outcome> run(
      List<StoredObject> objects, String currentRef, Runnable progress)
      throws InterruptedException {
    return runner.run(objects, object -> stored.rewrap(object, currentRef, this::rewrap), progress);
  }

  /** Rewraps the key records of {@code users} to {@code currentRef}; their MACs stay valid. */
  public ObjectRun.Summary<Outcome> runRecords(
      List<String> users, String currentRef, Runnable progress) throws InterruptedException {
    return runner.run(
        users,
        user -> "key record of " + user,
        user -> stored.rewrapRecord(user, currentRef, this::rewrap),
        progress);
  }

  private WrappedKey rewrap(WrappedKey old, KeyBinding binding)
      throws KeyServiceException, InterruptedException {
    if (service instanceof Rewrapping inside) {
      // The data key never leaves the service in the clear.
      return calls.await(inside.rewrap(old, binding), "rewrap for " + binding);
    }
    byte[] raw = calls.await(service.unwrap(old, binding), "unwrap for " + binding);
    try {
      return calls.await(service.wrap(raw, binding), "wrap for " + binding);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }
}
