package dev.dropzone.gateway.ftp.command;

import dev.dropzone.store.VirtualPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A shell pattern ({@code *}, {@code ?}, {@code [a-z]}, {@code [!0-9]}) in the last name of a
 * listing's argument. Legacy clients expand them on the server: Windows' {@code ftp} runs {@code
 * mget *.csv} and {@code mdelete} as {@code NLST *.csv} followed by one command per name it gets
 * back, as do many batch scripts. Only the last name may be a pattern, so a listing never reads
 * more than the one directory a plain {@code LIST} of it would. As in a shell, a name starting with
 * {@code .} matches only a pattern that starts with one.
 *
 * <p>Matching takes time linear in the name for each {@code *} (no regular expression, whose
 * backtracking a pattern such as {@code *?*?*?*?x} would turn exponential), and a pattern has at
 * most {@link #MAX_LENGTH} characters.
 */
final class NameGlob {

  /** Longer patterns are taken as plain names (and not found). */
  static final int MAX_LENGTH = 255;

  private static final int STAR = -1;
  private static final int ANY = -2;

  private final VirtualPath directory;
  private final String shown;

  /** Code points, {@link #STAR}, {@link #ANY}, or a class's index in {@link #classes} - 3. */
  private final int[] tokens;

  private final List<CharClass> classes;

  private NameGlob(VirtualPath directory, String shown, int[] tokens, List<CharClass> classes) {
    this.directory = directory;
    this.shown = shown;
    this.tokens = tokens;
    this.classes = classes;
  }

  /**
   * The pattern in {@code path}'s last name, if it has one; {@code typed} is the client's argument
   * {@code path} was resolved from.
   */
  static Optional<NameGlob> of(String typed, VirtualPath path) {
    if (path.isRoot() || typed == null) {
      return Optional.empty();
    }
    String name = path.name();
    if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
      return Optional.empty();
    }
    List<CharClass> classes = new ArrayList<>();
    int[] tokens = compile(name.codePoints().toArray(), classes);
    if (tokens == null) {
      return Optional.empty();
    }
    // The names sent back start as the client typed the directory (a trailing '/' dropped), so
    // they work as arguments of the commands that follow.
    String directoryPart = typed.strip();
    while (directoryPart.length() > 1
        && (directoryPart.endsWith("/") || directoryPart.endsWith("/."))) {
      directoryPart = directoryPart.substring(0, directoryPart.lastIndexOf('/'));
    }
    String shown = directoryPart.substring(0, directoryPart.lastIndexOf('/') + 1);
    return Optional.of(new NameGlob(path.parent(), shown, tokens, List.copyOf(classes)));
  }

  /** The directory whose entries are matched. */
  VirtualPath directory() {
    return directory;
  }

  /** What the client typed before the pattern ({@code in/} of {@code in/*.csv}). */
  String shown() {
    return shown;
  }

  boolean matches(String name) {
    int[] text = name.codePoints().toArray();
    if (text.length > 0 && text[0] == '.' && (tokens.length == 0 || tokens[0] != '.')) {
      return false;
    }
    int t = 0;
    int p = 0;
    int star = -1;
    int resume = 0;
    while (t < text.length) {
      if (p < tokens.length && tokens[p] == STAR) {
        star = p++;
        resume = t;
      } else if (p < tokens.length && one(tokens[p], text[t])) {
        p++;
        t++;
      } else if (star >= 0) {
        // The last '*' takes one more character; earlier ones never need to take back any.
        p = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (p < tokens.length && tokens[p] == STAR) {
      p++;
    }
    return p == tokens.length;
  }

  private boolean one(int token, int c) {
    if (token == ANY) {
      return true;
    }
    if (token <= -3) {
      return classes.get(-3 - token).contains(c);
    }
    return token == c;
  }

  /** The tokens of a pattern; null when it has no wildcard or an unclosed {@code [}. */
  private static int[] compile(int[] pattern, List<CharClass> classes) {
    List<Integer> tokens = new ArrayList<>();
    boolean wild = false;
    for (int i = 0; i < pattern.length; i++) {
      int c = pattern[i];
      if (c == '\\' && i + 1 < pattern.length) {
        tokens.add(pattern[++i]);
      } else if (c == '*') {
        wild = true;
        // Consecutive stars match what one does.
        if (tokens.isEmpty() || tokens.get(tokens.size() - 1) != STAR) {
          tokens.add(STAR);
        }
      } else if (c == '?') {
        wild = true;
        tokens.add(ANY);
      } else if (c == '[') {
        int end = CharClass.end(pattern, i);
        if (end < 0) {
          return null;
        }
        wild = true;
        classes.add(CharClass.parse(pattern, i + 1, end));
        tokens.add(-3 - (classes.size() - 1));
        i = end;
      } else {
        tokens.add(c);
      }
    }
    return wild ? tokens.stream().mapToInt(Integer::intValue).toArray() : null;
  }

  /** {@code [abc]}, {@code [a-z]}, {@code [!a-z]} or {@code [^a-z]}. */
  private record CharClass(boolean negated, int[] from, int[] to) {

    /** The index of the {@code ]} closing the class opened at {@code open}; -1 if none. */
    static int end(int[] pattern, int open) {
      int i = open + 1;
      if (i < pattern.length && (pattern[i] == '!' || pattern[i] == '^')) {
        i++;
      }
      // A ']' right after the opening is a member, as in shells.
      if (i < pattern.length && pattern[i] == ']') {
        i++;
      }
      for (; i < pattern.length; i++) {
        if (pattern[i] == '\\' && i + 1 < pattern.length) {
          i++;
        } else if (pattern[i] == ']') {
          return i;
        }
      }
      return -1;
    }

    static CharClass parse(int[] pattern, int start, int end) {
      boolean negated = pattern[start] == '!' || pattern[start] == '^';
      int[] at = {negated ? start + 1 : start};
      List<int[]> ranges = new ArrayList<>();
      while (at[0] < end) {
        int low = member(pattern, at);
        // A '-' first or last is a member, as in shells.
        if (at[0] + 1 < end && pattern[at[0]] == '-') {
          at[0]++;
          ranges.add(new int[] {low, member(pattern, at)});
        } else {
          ranges.add(new int[] {low, low});
        }
      }
      return new CharClass(
          negated,
          ranges.stream().mapToInt(r -> r[0]).toArray(),
          ranges.stream().mapToInt(r -> r[1]).toArray());
    }

    /** The member at {@code at[0]} (a {@code \\} takes the next character literally); moves on. */
    private static int member(int[] pattern, int[] at) {
      if (pattern[at[0]] == '\\' && at[0] + 1 < pattern.length) {
        at[0]++;
      }
      return pattern[at[0]++];
    }

    boolean contains(int c) {
      for (int i = 0; i < from.length; i++) {
        if (c >= from[i] && c <= to[i]) {
          return !negated;
        }
      }
      return negated;
    }
  }
}
