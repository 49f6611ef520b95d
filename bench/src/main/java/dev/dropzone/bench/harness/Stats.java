package dev.dropzone.bench.harness;

import java.util.HashMap;
import java.util.Map;

/**
 * The gateway child's answer to {@code stats}: key-service calls, the heap pools' summed peak
 * (garbage included), the live heap peak (occupancy right after a collection) and the part buffers'
 * budget, peak and waits.
 */
record Stats(
    long wraps,
    long unwraps,
    long cacheLoads,
    long heapPeak,
    long liveHeapPeak,
    long partBufferBudget,
    long partBufferPeak,
    long partBufferWaits) {

  static Stats parse(String line) {
    if (!line.startsWith("STATS ")) {
      throw new IllegalStateException("gateway answered '" + line + "' to stats");
    }
    Map<String, Long> values = new HashMap<>();
    for (String pair : line.substring(6).split(" ")) {
      String[] kv = pair.split("=");
      values.put(kv[0], Long.parseLong(kv[1]));
    }
    return new Stats(
        values.get("wraps"),
        values.get("unwraps"),
        values.get("cacheLoads"),
        values.get("heapPeak"),
        values.get("liveHeapPeak"),
        values.get("partBufferBudget"),
        values.get("partBufferPeak"),
        values.get("partBufferWaits"));
  }
}
