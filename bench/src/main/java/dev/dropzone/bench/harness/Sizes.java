package dev.dropzone.bench.harness;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * How big each case is and which cases run. The defaults are the figures and every case;
 * {@code -Dbench.<name>=<n>} makes a quicker run and {@code -Dbench.cases=1,2} runs only those
 * cases (the results file records both).
 */
record Sizes(
    int largeMib,
    int runs,
    int smallFiles,
    int listEntries,
    int clients,
    int concurrentMib,
    int downloads,
    int scanMib,
    int mirrorRuns,
    int logins,
    Set<String> cases) {

  private static final Set<String> ALL_CASES = Set.of("1", "2", "3", "4", "5", "7", "8", "9", "10");

  static Sizes fromSystemProperties() {
    return new Sizes(
        Integer.getInteger("bench.largeMib", 512),
        Integer.getInteger("bench.runs", 5),
        Integer.getInteger("bench.smallFiles", 500),
        Integer.getInteger("bench.listEntries", 10_000),
        Integer.getInteger("bench.clients", 8),
        Integer.getInteger("bench.concurrentMib", 256),
        Integer.getInteger("bench.downloads", 1000),
        Integer.getInteger("bench.scanMib", 100),
        Integer.getInteger("bench.mirrorRuns", 3),
        Integer.getInteger("bench.logins", 20),
        cases(System.getProperty("bench.cases", "")));
  }

  /** Whether case {@code number} runs; case 6 comes with case 1. */
  boolean selected(String number) {
    return cases.contains(number);
  }

  boolean allCases() {
    return cases.equals(ALL_CASES);
  }

  private static Set<String> cases(String list) {
    if (list.isBlank()) {
      return ALL_CASES;
    }
    Set<String> chosen = new TreeSet<>(Arrays.asList(list.trim().split("\\s*,\\s*")));
    chosen.remove("6");
    if (!ALL_CASES.containsAll(chosen)) {
      throw new IllegalArgumentException(
          "bench.cases: unknown case in " + list + "; the cases are 1 to 10 (6 comes with 1)");
    }
    return chosen;
  }
}
