package dev.dropzone.bench.child;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The largest heap occupancy right after a garbage collection since the last reset. Closer to what
 * the process kept alive than the pools' peak usage, which counts all garbage not yet collected
 * (and, summed over pools, can exceed the heap itself); still an upper bound, since a young
 * collection leaves old-generation garbage in place.
 */
final class LiveHeap {

  private final AtomicLong peak = new AtomicLong();
  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(pool -> pool.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());

  LiveHeap() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc)
          .addNotificationListener(
              (notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                    notification.getType())) {
                  record(
                      GarbageCollectionNotificationInfo.from(
                          (CompositeData) notification.getUserData()));
                }
              },
              null,
              null);
    }
  }

  private void record(GarbageCollectionNotificationInfo info) {
    // The map also holds metaspace and code cache, which are not heap.
    long used =
        info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
            .filter(pool -> heapPools.contains(pool.getKey()))
            .mapToLong(pool -> pool.getValue().getUsed())
            .sum();
    peak.accumulateAndGet(used, Math::max);
  }

  /** Bytes. */
  long peak() {
    return peak.get();
  }

  /**
   * Collects garbage and starts again from what is left, so a measurement in which no collection
   * runs still reports the live heap rather than 0.
   */
  void reset() {
    System.gc();
    peak.set(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }
}
