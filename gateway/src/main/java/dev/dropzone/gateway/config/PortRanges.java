package dev.dropzone.gateway.config;

/**
 * The passive port syntax: {@code 0} (any), {@code 50000}, {@code 50000-50100}, comma-separated.
 */
final class PortRanges {

  private PortRanges() {}

  static boolean isValid(String spec) {
    if (spec == null || spec.isBlank()) {
      return false;
    }
    for (String item : spec.split(",", -1)) {
      String[] bounds = item.trim().split("-", -1);
      if (bounds.length > 2) {
        return false;
      }
      int low = port(bounds[0]);
      int high = bounds.length == 2 ? port(bounds[1]) : low;
      if (low < 0 || high < 0 || low > high || (bounds.length == 2 && low == 0)) {
        return false;
      }
    }
    return true;
  }

  private static int port(String text) {
    String t = text.trim();
    if (t.isEmpty() || t.length() > 5 || !t.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    int port = Integer.parseInt(t);
    return port <= 65535 ? port : -1;
  }
}
