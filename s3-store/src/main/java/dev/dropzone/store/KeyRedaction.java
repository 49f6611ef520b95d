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

  private final Pattern home;
  private final Pattern prefix;

  KeyRedaction(String homeKey, String prefixKey) {
    this.home = Pattern.compile(KEY_START + Pattern.quote(homeKey) + "(/|(?![^\\s'\"),:;\\]]))");
    this.prefix =
        prefixKey.isEmpty() ? null : Pattern.compile(KEY_START + Pattern.quote(prefixKey + "/"));
  }

  /** {@code text} with keys of the home as virtual paths and the prefix removed from others. */
  public String apply(String text) {
    if (text == null) {
      return null;
    }
    String out = home.matcher(text).replaceAll(Matcher.quoteReplacement("/"));
    return prefix == null ? out : prefix.matcher(out).replaceAll("");
  }
}
