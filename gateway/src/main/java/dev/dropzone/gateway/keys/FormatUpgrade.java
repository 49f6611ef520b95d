package dev.dropzone.gateway.keys;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.store.rewrap.StoredKeys;
import dev.dropzone.store.rewrap.StoredKeys.Rebound;
import dev.dropzone.store.rewrap.StoredKeys.StoredObject;
import dev.dropzone.store.rewrap.StoredKeys.Upgrade;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code keys upgrade}: turns format v1 objects into format v2 in place. Each v1 object's key is
 * unwrapped for its owner ({@code dz-user}) and wrapped again for the owner's home, and the object
 * gets a v2 identity tag for its path below that home; objects that are not below their owner's
 * home are left alone and listed. One unwrap and one wrap per user key, however many objects carry
 * it.
 */
public final class FormatUpgrade {

  /**
   * What a run did.
   *
   * @param misplaced v1 objects not below their owner's home (copied or moved there in storage):
   *     left in format v1
   */
  public record Result(ObjectRun.Summary<Upgrade> summary, List<String> misplaced) {}

  private final StoredKeys stored;
  private final KeyService service;
  private final ServiceCalls calls;
  private final UserHomes homes;
  private final ObjectRun<Upgrade> runner;
  private final ConcurrentMap<List<String>, CompletableFuture<Rebound>> rebound =
      new ConcurrentHashMap<>();

  public FormatUpgrade(
      StoredKeys stored, KeyService service, ServiceCalls calls, UserHomes homes, int parallelism) {
    this.stored = stored;
    this.service = service;
    this.calls = calls;
    this.homes = homes;
    this.runner = new ObjectRun<>(Upgrade.class, parallelism, "upgrade");
  }

  /** Upgrades {@code objects}; {@code progress} runs once per object, failed ones included. */
  public Result run(List<StoredObject> objects, Runnable progress) throws InterruptedException {
    List<String> misplaced = Collections.synchronizedList(new ArrayList<>());
    ObjectRun.Summary<Upgrade> summary =
        runner.run(
            objects,
            object -> {
              Upgrade outcome = stored.upgrade(object, homes::of, this::rebind);
              if (outcome == Upgrade.NOT_IN_OWNERS_HOME) {
                misplaced.add(object.key());
              }
              return outcome;
            },
            progress);
    List<String> sorted = new ArrayList<>(misplaced);
    Collections.sort(sorted);
    return new Result(summary, sorted);
  }

  /** The v1 key of {@code user}, wrapped for {@code domain}; shared by all its objects. */
  private Rebound rebind(WrappedKey v1Key, String user, String domain)
      throws KeyServiceException, InterruptedException {
    List<String> id = List.of(v1Key.ref(), v1Key.text(), user, domain);
    CompletableFuture<Rebound> mine = new CompletableFuture<>();
    CompletableFuture<Rebound> first = rebound.putIfAbsent(id, mine);
    if (first != null) {
      return calls.await(first, "rebinding the key of " + user);
    }
    try {
      Rebound result = rebindOnce(v1Key, user, domain);
      mine.complete(result);
      return result;
    } catch (KeyServiceException | InterruptedException | RuntimeException e) {
      // The next object with this key tries again rather than inheriting the failure.
      rebound.remove(id, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private Rebound rebindOnce(WrappedKey v1Key, String user, String domain)
      throws KeyServiceException, InterruptedException {
    byte[] raw = calls.await(service.unwrap(v1Key, KeyBinding.user(user)), "unwrap for " + user);
    try {
      DataKey key = DataKey.fromRaw(raw);
      WrappedKey wrapped =
          calls.await(service.wrap(raw, KeyBinding.domain(domain)), "wrap for " + domain);
      return new Rebound(wrapped, key);
    } catch (GeneralSecurityException e) {
      throw new KeyServiceException(
          Failure.INVALID, "the key of " + user + " is not a data key: " + e.getMessage(), e);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }
}
