package dev.dropzone.gateway.keys;

import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.rewrap.StoredKeys.StoredObject;
import java.util.ArrayList;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one maintenance step (rewrap, upgrade) over many objects, several at once: each step is a
 * HEAD, a key-service call and a copy, all waiting on the network, so a few in parallel shorten a
 * large run many times over. One object's failure never stops the run; it is listed, and a re-run
 * picks up exactly what is left.
 *
 * @param <O> what a step can do with an object
 */
public final class ObjectRun<O extends Enum<O>> {

  private static final Logger LOG = LoggerFactory.getLogger(ObjectRun.class);

  /**
   * What a run did.
   *
   * @param outcomes how many objects ended in each outcome
   * @param failures one line per object that failed: its key and why, sorted
   */
  public record Summary<O extends Enum<O>>(Map<O, Integer> outcomes, List<String> failures) {
    public int count(O outcome) {
      return outcomes.getOrDefault(outcome, 0);
    }
  }

  /** The step for one item. */
  @FunctionalInterface
  interface Step<T, O> {
    O apply(T item) throws StoreException, KeyServiceException, InterruptedException;
  }

  private final Class<O> outcomeType;
  private final int parallelism;
  private final String name;

  /**
   * @param name what the step is, for thread names and log lines, e.g. {@code rewrap}
   */
  ObjectRun(Class<O> outcomeType, int parallelism, String name) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
    }
    this.outcomeType = outcomeType;
    this.parallelism = parallelism;
    this.name = name;
  }

  /** Runs {@code step} on every object; {@code progress} runs once per object, failed or not. */
  Summary<O> run(List<StoredObject> objects, Step<StoredObject, O> step, Runnable progress)
      throws InterruptedException {
    return run(objects, StoredObject::key, step, progress);
  }

  /**
   * Runs {@code step} on every item; {@code progress} runs once per item, failed or not.
   *
   * @param name how an item is named in the list of failures
   */
  <T> Summary<O> run(List<T> items, Function<T, String> name, Step<T, O> step, Runnable progress)
      throws InterruptedException {
    Map<O, Integer> outcomes = new ConcurrentHashMap<>();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService workers = Executors.newFixedThreadPool(parallelism, workerThreads());
    try {
      List<Future<?>> handled = new ArrayList<>(items.size());
      for (T item : items) {
        handled.add(
            workers.submit(
                () -> {
                  try {
                    outcomes.merge(step.apply(item), 1, Integer::sum);
                  } catch (StoreException | KeyServiceException | RuntimeException e) {
                    failures.add(name.apply(item) + ": " + e.getMessage());
                    LOG.warn("Could not {} {}: {}", this.name, name.apply(item), e.getMessage());
                  }
                  progress.run();
                  return null;
                }));
      }
      for (Future<?> one : handled) {
        try {
          one.get();
        } catch (ExecutionException e) {
          // Every object's failure is recorded above: what gets here is an interrupt.
          if (e.getCause() instanceof InterruptedException interrupted) {
            throw interrupted;
          }
          throw new IllegalStateException(this.name + " stopped unexpectedly", e.getCause());
        }
      }
    } finally {
      workers.shutdownNow();
    }
    List<String> sorted = new ArrayList<>(failures);
    Collections.sort(sorted);
    Map<O, Integer> counted = new EnumMap<>(outcomeType);
    counted.putAll(outcomes);
    return new Summary<>(counted, sorted);
  }

  private ThreadFactory workerThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "dz-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
