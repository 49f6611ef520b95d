package dev.dropzone.gateway.ftp.command;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time as clients send it to set a file's modification time: {@code YYYYMMDDhhmmss} in UTC,
 * optionally with milliseconds ({@code .sss}, as MFMT allows) or without seconds ({@code
 * YYYYMMDDhhmm}, as some {@code SITE UTIME} clients send).
 */
final class ClientTime {

  private static final Pattern FORM = Pattern.compile("(\\d{12})(\\d{2})?(?:\\.(\\d{1,3}))?");
  private static final DateTimeFormatter MINUTES =
      DateTimeFormatter.ofPattern("uuuuMMddHHmm", Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT);

  private ClientTime() {}

  /**
   * The instant {@code text} names; empty when it is not such a time, names no real date, or lies
   * before 1970 (which the store cannot record).
   */
  static Optional<Instant> parse(String text) {
    Matcher matcher = FORM.matcher(text);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    LocalDateTime minute;
    try {
      minute = LocalDateTime.parse(matcher.group(1), MINUTES);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
    int seconds = matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2));
    if (seconds > 59) {
      return Optional.empty();
    }
    String fraction = matcher.group(3) == null ? "0" : (matcher.group(3) + "00").substring(0, 3);
    Instant time =
        minute
            .plusSeconds(seconds)
            .toInstant(ZoneOffset.UTC)
            .plusMillis(Integer.parseInt(fraction));
    return time.isBefore(Instant.EPOCH) ? Optional.empty() : Optional.of(time);
  }
}
