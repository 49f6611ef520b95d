package dev.dropzone.bench.child;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The largest heap occupancy right after a garbage collection since the last reset: what the
 * process really kept alive, unlike the pools' peak usage, which counts garbage not yet collected
 * (and, summed over pools, can exceed the heap itself).
 */
final class LiveHeap {

  private final AtomicLong peak = new AtomicLong();

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
    long used =
        info.getGcInfo().getMemoryUsageAfterGc().values().stream()
            .mapToLong(MemoryUsage::getUsed)
            .sum();
    peak.accumulateAndGet(used, Math::max);
  }

  /** Bytes; 0 when no collection ran since the reset. */
  long peak() {
    return peak.get();
  }

  void reset() {
    peak.set(0);
  }
}
