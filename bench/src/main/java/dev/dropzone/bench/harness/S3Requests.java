package dev.dropzone.bench.harness;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Requests the S3 server served, by S3 operation, as its request counter reports them; the
 * difference of two snapshots is what one phase of a case cost.
 */
record S3Requests(Map<String, Long> byOperation) {

  /** The S3 server's counts so far. */
  static S3Requests of(Child s3Server) throws IOException {
    String line = s3Server.ask("counts");
    if (!line.startsWith("COUNTS")) {
      throw new IllegalStateException("S3 server answered '" + line + "' to counts");
    }
    Map<String, Long> counts = new HashMap<>();
    for (String pair : line.substring(6).trim().split(" ")) {
      if (!pair.isEmpty()) {
        String[] kv = pair.split("=");
        counts.put(kv[0], Long.parseLong(kv[1]));
      }
    }
    return new S3Requests(counts);
  }

  S3Requests since(S3Requests earlier) {
    Map<String, Long> counts = new HashMap<>();
    byOperation.forEach(
        (name, count) -> {
          long diff = count - earlier.byOperation.getOrDefault(name, 0L);
          if (diff != 0) {
            counts.put(name, diff);
          }
        });
    return new S3Requests(counts);
  }

  S3Requests plus(S3Requests other) {
    Map<String, Long> counts = new HashMap<>(byOperation);
    other.byOperation.forEach((name, count) -> counts.merge(name, count, Long::sum));
    return new S3Requests(counts);
  }

  long count(String operation) {
    return byOperation.getOrDefault(operation, 0L);
  }

  long total() {
    return byOperation.values().stream().mapToLong(Long::longValue).sum();
  }

  /** E.g. {@code 1.00 PutObject + 0.01 ListObjectsV2}, most frequent first. */
  String per(int files) {
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(byOperation.entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Long> e : sorted) {
      parts.add(String.format("%.2f %s", (double) e.getValue() / files, e.getKey()));
    }
    return parts.isEmpty() ? "none" : String.join(" + ", parts);
  }
}
