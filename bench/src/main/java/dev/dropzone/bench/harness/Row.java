package dev.dropzone.bench.harness;

/** One line of the result table. */
record Row(
    String name, String gateway, String baseline, String ratio, String target, String verdict) {

  static String mibPerSecond(double value) {
    return String.format("%.1f MiB/s", value);
  }

  static String ratio(double gateway, double baseline) {
    return String.format("%.2f", gateway / baseline);
  }

  static String verdict(boolean met) {
    return met ? "met" : "MISSED";
  }
}
