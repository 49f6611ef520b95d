package dev.dropzone.gateway.ftp.command;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The times of listing lines, in UTC. Written by hand rather than through {@link
 * DateTimeFormatter}: a formatter builds a print context and resolves fields for every line, a
 * large share of what a LIST does after the S3 response. Years outside 1–9999 go through the
 * formatters.
 */
final class ListingDates {

  /** MDTM and MLSD's {@code modify}: {@code yyyyMMddHHmmss}. */
  static final DateTimeFormatter MDTM =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** {@code ls -l} for files of the last half year: {@code MMM dd HH:mm}. */
  static final DateTimeFormatter LS_RECENT =
      DateTimeFormatter.ofPattern("MMM dd HH:mm", Locale.US).withZone(ZoneOffset.UTC);

  /** {@code ls -l} for older files: {@code MMM dd yyyy}. */
  static final DateTimeFormatter LS_OLD =
      DateTimeFormatter.ofPattern("MMM dd  yyyy", Locale.US).withZone(ZoneOffset.UTC);

  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private static final long FIRST = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
  private static final long LAST = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  private ListingDates() {}

  /** Appends {@code time} as {@link #LS_RECENT} or {@link #LS_OLD} would. */
  static void appendLs(StringBuilder line, Instant time, boolean recent) {
    LocalDateTime t = utc(time);
    if (t == null) {
      (recent ? LS_RECENT : LS_OLD).formatTo(time, line);
      return;
    }
    line.append(MONTHS[t.getMonthValue() - 1]).append(' ');
    two(line, t.getDayOfMonth());
    if (recent) {
      two(line.append(' '), t.getHour());
      two(line.append(':'), t.getMinute());
    } else {
      four(line.append("  "), t.getYear());
    }
  }

  /** Appends {@code time} as {@link #MDTM} would. */
  static StringBuilder appendMdtm(StringBuilder out, Instant time) {
    LocalDateTime t = utc(time);
    if (t == null) {
      MDTM.formatTo(time, out);
      return out;
    }
    four(out, t.getYear());
    two(out, t.getMonthValue());
    two(out, t.getDayOfMonth());
    two(out, t.getHour());
    two(out, t.getMinute());
    two(out, t.getSecond());
    return out;
  }

  /**
   * The UTC date and time of {@code time}; null when its year is outside 1–9999 (the formatters
   * write era years).
   */
  private static LocalDateTime utc(Instant time) {
    long second = time.getEpochSecond();
    return second < FIRST || second > LAST
        ? null
        : LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
  }

  private static void two(StringBuilder out, int value) {
    out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }

  private static void four(StringBuilder out, int value) {
    two(out, value / 100);
    two(out, value % 100);
  }
}
