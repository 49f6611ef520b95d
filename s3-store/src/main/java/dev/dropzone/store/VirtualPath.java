package dev.dropzone.store;

import dev.dropzone.store.StoreException.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * A normalised, validated path inside a user's tree: absolute, {@code /}-separated, no {@code .} or
 * {@code ..} segments, no empty segments. Every client-supplied path becomes one through {@link
 * #parse}, so the rest of the code never sees a raw client string.
 */
public final class VirtualPath implements Comparable<VirtualPath> {

  /** S3's object key limit; the full key (prefix + home + path) is checked again by the tree. */
  public static final int MAX_BYTES = 1024;

  /** Reserved for Dropzone's own state (key records); never visible through a user tree. */
  public static final String RESERVED = ".dropzone";

  public static final VirtualPath ROOT = new VirtualPath(List.of());

  private final List<String> segments;

  /** {@link #toString()}, made on first use: listings and keys ask for it many times. */
  private String text;

  /** The UTF-8 length of {@link #toString()}, counted on first use; -1 until then. */
  private int bytes = -1;

  private VirtualPath(List<String> segments) {
    this.segments = List.copyOf(segments);
  }

  /**
   * Resolves a client path against the current directory.
   *
   * @throws StoreException with reason INVALID_PATH and a message naming the problem
   */
  public static VirtualPath parse(VirtualPath cwd, String input) throws StoreException {
    if (input == null || input.isEmpty()) {
      throw invalid("empty path");
    }
    if (utf8Length(input) > MAX_BYTES) {
      throw invalid("longer than " + MAX_BYTES + " bytes");
    }
    List<String> out = new ArrayList<>(input.startsWith("/") ? List.of() : cwd.segments);
    for (String part : input.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (out.isEmpty()) {
          throw invalid("'..' leads outside your home directory");
        }
        out.remove(out.size() - 1);
        continue;
      }
      out.add(part);
    }
    if (!out.isEmpty() && out.get(0).equals(RESERVED)) {
      throw invalid("'" + RESERVED + "' is reserved");
    }
    VirtualPath path = new VirtualPath(out);
    if (path.byteLength() > MAX_BYTES) {
      throw invalid("longer than " + MAX_BYTES + " bytes");
    }
    return path;
  }

  /** The UTF-8 length of this path's text; its characters were checked when it was made. */
  private int byteLength() throws StoreException {
    int counted = bytes;
    if (counted < 0) {
      counted = utf8Length(toString());
      bytes = counted;
    }
    return counted;
  }

  /**
   * The length of {@code text} in UTF-8, after checking that every character of it can be part of
   * an S3 key: no NUL, CR/LF or other control character, no XML non-character, no unpaired
   * surrogate (it would be encoded as '?', silently mapping two names to one key).
   */
  private static int utf8Length(String text) throws StoreException {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        throw invalid("contains NUL");
      }
      if (c == '\r' || c == '\n') {
        throw invalid("contains CR/LF");
      }
      // Control characters cannot be represented in S3's XML listings.
      if (c < 0x20 || c == 0x7f) {
        throw invalid("contains control character 0x" + Integer.toHexString(c));
      }
      // Not allowed in XML either, so S3 could not list such a key.
      if (c == 0xfffe || c == 0xffff) {
        throw invalid("contains the non-character U+" + Integer.toHexString(c).toUpperCase());
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw invalid("is not valid Unicode (unpaired surrogate)");
      } else {
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    return bytes;
  }

  /** Parses an absolute path (relative ones are taken from the root). */
  public static VirtualPath of(String path) throws StoreException {
    return parse(ROOT, path);
  }

  public VirtualPath resolve(String input) throws StoreException {
    return parse(this, input);
  }

  /** The path of a direct child; {@code name} must be a single valid segment. */
  public VirtualPath child(String name) throws StoreException {
    if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
      throw invalid("'" + name + "' is not a file name");
    }
    // A listing builds one child per entry: checking the name alone spares re-reading the parent.
    int nameBytes = utf8Length(name);
    if (isRoot() && name.equals(RESERVED)) {
      throw invalid("'" + RESERVED + "' is reserved");
    }
    // The root's text is "/" alone; any other parent gains a "/" before the name.
    if ((isRoot() ? 0 : byteLength()) + 1 + nameBytes > MAX_BYTES) {
      throw invalid("longer than " + MAX_BYTES + " bytes");
    }
    List<String> out = new ArrayList<>(segments.size() + 1);
    out.addAll(segments);
    out.add(name);
    return new VirtualPath(out);
  }

  public boolean isRoot() {
    return segments.isEmpty();
  }

  /** The parent; the root is its own parent. */
  public VirtualPath parent() {
    return isRoot() ? this : new VirtualPath(segments.subList(0, segments.size() - 1));
  }

  /** The last segment; empty for the root. */
  public String name() {
    return isRoot() ? "" : segments.get(segments.size() - 1);
  }

  public List<String> segments() {
    return segments;
  }

  /** The path without the leading slash: {@code a/b/c}, or empty for the root. */
  public String relative() {
    return String.join("/", segments);
  }

  /** True when {@code other} is this path or lies below it. */
  public boolean contains(VirtualPath other) {
    return other.segments.size() >= segments.size()
        && other.segments.subList(0, segments.size()).equals(segments);
  }

  private static StoreException invalid(String why) {
    return new StoreException(Reason.INVALID_PATH, "Invalid file name: " + why);
  }

  @Override
  public String toString() {
    String shown = text;
    if (shown == null) {
      // Racing threads build equal strings; either may be kept.
      shown = "/" + relative();
      text = shown;
    }
    return shown;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VirtualPath other && other.segments.equals(segments);
  }

  @Override
  public int hashCode() {
    return segments.hashCode();
  }

  @Override
  public int compareTo(VirtualPath o) {
    return toString().compareTo(o.toString());
  }
}
