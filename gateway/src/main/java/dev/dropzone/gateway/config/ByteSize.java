package dev.dropzone.gateway.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size in bytes written as {@code 8MiB}, {@code 512KiB}, {@code 1GiB} or a plain byte count. */
public record ByteSize(long bytes) {

  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(|b|kib|mib|gib)");

  public static ByteSize parse(String text) {
    Matcher m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size (use e.g. 8MiB, 512KiB, 1GiB or a number of bytes)");
    }
    long unit =
        switch (m.group(2)) {
          case "kib" -> 1L << 10;
          case "mib" -> 1L << 20;
          case "gib" -> 1L << 30;
          default -> 1L;
        };
    try {
      return new ByteSize(Math.multiplyExact(Long.parseLong(m.group(1)), unit));
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large", e);
    }
  }

  @Override
  public String toString() {
    if (bytes > 0 && bytes % (1L << 20) == 0) {
      return bytes / (1L << 20) + "MiB";
    }
    return Long.toString(bytes);
  }
}
