package dev.dropzone.bench.harness;

/**
 * How big each case is. The defaults are the figures; {@code -Dbench.<name>=<n>} makes a
 * quicker run (the results file records the sizes used).
 */
record Sizes(
    int largeMib,
    int runs,
    int smallFiles,
    int listEntries,
    int clients,
    int concurrentMib,
    int downloads) {

  static Sizes fromSystemProperties() {
    return new Sizes(
        Integer.getInteger("bench.largeMib", 512),
        Integer.getInteger("bench.runs", 3),
        Integer.getInteger("bench.smallFiles", 500),
        Integer.getInteger("bench.listEntries", 10_000),
        Integer.getInteger("bench.clients", 8),
        Integer.getInteger("bench.concurrentMib", 256),
        Integer.getInteger("bench.downloads", 1000));
  }
}
