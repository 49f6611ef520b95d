package dev.dropzone.gateway.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * "Did you mean …?" for mistyped setting names: the known names within a small edit distance
 * (insertions, deletions, substitutions and swaps of two neighbours, compared case-insensitively).
 */
final class NameSuggestions {

  private NameSuggestions() {}

  /** The closest known names, best first; empty when none is close enough to be a typo. */
  static List<String> closest(String name, Collection<String> known) {
    String wanted = name.toLowerCase(Locale.ROOT);
    int allowed = Math.max(1, Math.min(3, wanted.length() / 5));
    List<Scored> scored =
        known.stream()
            .map(k -> new Scored(k, distance(wanted, k.toLowerCase(Locale.ROOT))))
            .filter(s -> s.distance() <= allowed)
            .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
            .toList();
    if (scored.isEmpty()) {
      return List.of();
    }
    int best = scored.get(0).distance();
    return scored.stream().filter(s -> s.distance() == best).map(Scored::name).toList();
  }

  /** {@code "; did you mean X?"}, {@code "; did you mean X or Y?"}, or empty. */
  static String didYouMean(String name, Collection<String> known) {
    List<String> closest = closest(name, known);
    return closest.isEmpty() ? "" : "; did you mean " + String.join(" or ", closest) + "?";
  }

  private record Scored(String name, int distance) {}

  /** Optimal string alignment distance: Levenshtein plus adjacent transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
