package dev.dropzone.gateway.logging;

/**
 * Client input made safe for a log line. A user name or path sent by a client may hold line breaks
 * (forging a second log line), terminal escape sequences, or invisible and right-to-left format
 * characters that make a line read differently from what it says. Such characters are written as
 * {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX} escapes, a backslash as two, and the
 * result is quoted and cut at {@value #MAX_CHARS} characters so one request cannot flood the log.
 */
public final class LogText {

  /** Longest client text put into a log line. */
  static final int MAX_CHARS = 200;

  private LogText() {}

  /** {@code 'text'} with every character that could mislead a log reader escaped. */
  public static String of(String text) {
    if (text == null) {
      return "(none)";
    }
    int end = Math.min(text.length(), MAX_CHARS);
    StringBuilder out = new StringBuilder(end + 2).append('\'');
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (suspicious(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('\'');
    if (text.length() > end) {
      out.append("… (").append(text.length()).append(" chars)");
    }
    return out.toString();
  }

  private static boolean suspicious(char c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE,
          Character.PRIVATE_USE,
          Character.UNASSIGNED ->
          true;
      default -> false;
    };
  }
}
