package dev.dropzone.gateway.keys;

import dev.dropzone.kek.KeyBinding;
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
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
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
  private final int parallelism;

  /**
   * @param parallelism objects handled at once; each is a HEAD, a key-service call and a copy, all
   *     waiting on the network, so a few in parallel shorten a large run many times over
   */
  public ObjectRewrap(StoredKeys stored, KeyService service, ServiceCalls calls, int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
    }
    this.stored = stored;
    this.service = service;
    this.calls = calls;
    this.parallelism = parallelism;
  }

  /**
   * Rewraps {@code objects} to {@code currentRef} (the reference a fresh wrap gets, see {@link
   * KeyCheck}); {@code progress} runs once per object handled, failed ones included.
   */
  public Summary run(List<StoredObject> objects, String currentRef, Runnable progress)
      throws InterruptedException {
    Map<Outcome, Integer> outcomes = new ConcurrentHashMap<>();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService workers = Executors.newFixedThreadPool(parallelism, workerThreads());
    try {
      List<Future<?>> handled = new ArrayList<>(objects.size());
      for (StoredObject object : objects) {
        handled.add(
            workers.submit(
                () -> {
                  handle(object, currentRef, outcomes, failures);
                  progress.run();
                  return null;
                }));
      }
      for (Future<?> one : handled) {
        try {
          one.get();
        } catch (ExecutionException e) {
          // handle() records every object's failure itself: what gets here is an interrupt.
          if (e.getCause() instanceof InterruptedException interrupted) {
            throw interrupted;
          }
          throw new IllegalStateException("rewrap stopped unexpectedly", e.getCause());
        }
      }
    } finally {
      workers.shutdownNow();
    }
    List<String> sorted = new ArrayList<>(failures);
    Collections.sort(sorted);
    Map<Outcome, Integer> counted = new EnumMap<>(Outcome.class);
    counted.putAll(outcomes);
    return new Summary(counted, sorted);
  }

  private void handle(
      StoredObject object, String currentRef, Map<Outcome, Integer> outcomes, List<String> failures)
      throws InterruptedException {
    try {
      outcomes.merge(stored.rewrap(object, currentRef, this::rewrap), 1, Integer::sum);
    } catch (StoreException | KeyServiceException | RuntimeException e) {
      failures.add(object.key() + ": " + e.getMessage());
      LOG.warn("Could not rewrap {}: {}", object.key(), e.getMessage());
    }
  }

  private static ThreadFactory workerThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "dz-rewrap-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private WrappedKey rewrap(WrappedKey old, String user)
      throws KeyServiceException, InterruptedException {
    KeyBinding binding = KeyBinding.user(user);
    if (service instanceof Rewrapping inside) {
      // The data key never leaves the service in the clear.
      return calls.await(inside.rewrap(old, binding), "rewrap for " + user);
    }
    byte[] raw = calls.await(service.unwrap(old, binding), "unwrap for " + user);
    try {
      return calls.await(service.wrap(raw, binding), "wrap for " + user);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }
}
