package dev.dropzone.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes storage key names out of text meant for a user: the store's messages are written for the
 * operator's log and may name full keys, but a client must only ever see its own virtual paths,
 * never the prefix or the key of its home. The home's key becomes the user's {@code /}; any other
 * key under the prefix loses the prefix. Only whole keys are replaced (a key starts the text or
 * follows a space, quote or punctuation), so a virtual path that happens to contain the same
 * letters is left alone.
 */
public final class KeyRedaction {

  /** Where a key can start in a message: at the start, or after one of these. */
  private static final String KEY_START = "(?<![^\\s'\"(:=,\\[])";

  private final String homeKey;
  private final String prefixKey;

  /**
   * Compiled on first use: every session gets a redaction, few ever show an error that needs it,
   * and compiling both patterns costs tens of microseconds per login.
   */
  private volatile Pattern[] patterns;

  KeyRedaction(String homeKey, String prefixKey) {
    this.homeKey = homeKey;
    this.prefixKey = prefixKey;
  }

  /** {@code text} with keys of the home as virtual paths and the prefix removed from others. */
  public String apply(String text) {
    if (text == null) {
      return null;
    }
    Pattern[] compiled = patterns();
    String out = compiled[0].matcher(text).replaceAll(Matcher.quoteReplacement("/"));
    return compiled.length == 1 ? out : compiled[1].matcher(out).replaceAll("");
  }

  private Pattern[] patterns() {
    Pattern[] compiled = patterns;
    if (compiled == null) {
      Pattern home =
          Pattern.compile(KEY_START + Pattern.quote(homeKey) + "(/|(?![^\\s'\"),:;\\]]))");
      compiled =
          prefixKey.isEmpty()
              ? new Pattern[] {home}
              : new Pattern[] {home, Pattern.compile(KEY_START + Pattern.quote(prefixKey + "/"))};
      // Threads racing here compile equal patterns; any of them may be kept.
      patterns = compiled;
    }
    return compiled;
  }
}
