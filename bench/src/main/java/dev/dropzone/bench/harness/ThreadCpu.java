package dev.dropzone.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A child's CPU time by kind of thread, read from {@code /proc/<pid>/task}: the JIT compilers, the
 * collector and VM threads, and everything else (the application). Over a minute of small files the
 * compilers still take a large share of a fresh JVM's CPU; a gateway that runs for days pays it
 * once, so the split tells the per-file cost of the code from the cost of compiling it.
 *
 * <p>Threads that end between two snapshots take their last slice of CPU with them; the process
 * total ({@link Child#cpuSeconds()}) does not lose it, so {@link Split#application()} is the total
 * minus the compilers and collectors rather than a sum of its own.
 */
final class ThreadCpu {

  /** Linux reports utime and stime in clock ticks; 100 per second on every common kernel. */
  private static final double TICKS_PER_SECOND = 100.0;

  /** CPU ticks by thread id, and each thread's kind. */
  private final Map<String, Long> ticks;

  private final Map<String, Kind> kinds;

  private ThreadCpu(Map<String, Long> ticks, Map<String, Kind> kinds) {
    this.ticks = ticks;
    this.kinds = kinds;
  }

  enum Kind {
    JIT,
    GC,
    APPLICATION
  }

  /** Seconds of CPU of each kind between two snapshots, and the process's total. */
  record Split(double total, double jit, double gc) {
    static final Split ZERO = new Split(0, 0, 0);

    double application() {
      return Math.max(0, total - jit - gc);
    }

    Split plus(Split other) {
      return new Split(total + other.total, jit + other.jit, gc + other.gc);
    }

    /** e.g. {@code 12.7 ms (application 7.9, JIT 4.1, GC/VM 0.7)} per {@code files}. */
    String perFile(double files) {
      return per(files / 1000, "ms");
    }

    /** e.g. {@code 1.22 s (application 0.87, JIT 0.30, GC/VM 0.05)} per {@code gib}. */
    String perGib(double gib) {
      return per(gib, "s");
    }

    private String per(double units, String unit) {
      return String.format(
          "%.2f %s (application %.2f, JIT %.2f, GC/VM %.2f)",
          total / units, unit, application() / units, jit / units, gc / units);
    }
  }

  static ThreadCpu of(long pid) {
    Map<String, Long> ticks = new HashMap<>();
    Map<String, Kind> kinds = new HashMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> threads = Files.list(tasks)) {
      threads.forEach(
          thread -> {
            String stat;
            try {
              stat = Files.readString(thread.resolve("stat"));
            } catch (NoSuchFileException e) {
              return; // ended while listed
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            String id = thread.getFileName().toString();
            ticks.put(id, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
            kinds.put(id, kind(name));
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the threads of process " + pid, e);
    }
    return new ThreadCpu(ticks, kinds);
  }

  /** HotSpot's thread names: "C2 CompilerThread0", "GC Thread#1", "G1 Conc#0", "VM Thread"… */
  static Kind kind(String name) {
    if (name.contains("CompilerThre")) {
      return Kind.JIT;
    }
    if (name.startsWith("GC Thread")
        || name.startsWith("G1 ")
        || name.equals("VM Thread")
        || name.equals("VM Periodic Tas")) {
      return Kind.GC;
    }
    return Kind.APPLICATION;
  }

  /** CPU of the compilers and collectors since {@code earlier}, and the process's {@code total}. */
  Split since(ThreadCpu earlier, double total) {
    double jit = 0;
    double gc = 0;
    for (Map.Entry<String, Long> thread : ticks.entrySet()) {
      long used = thread.getValue() - earlier.ticks.getOrDefault(thread.getKey(), 0L);
      switch (kinds.get(thread.getKey())) {
        case JIT -> jit += used / TICKS_PER_SECOND;
        case GC -> gc += used / TICKS_PER_SECOND;
        case APPLICATION -> {
          // The remainder of the total.
        }
      }
    }
    return new Split(total, jit, gc);
  }
}
