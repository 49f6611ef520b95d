package dev.dropzone.gateway.audit;

import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.FtpEventListener;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Transfers in the classic {@code xferlog} format (wu-ftpd, ProFTPD, vsftpd), one line each, for
 * the tools that parse it:
 *
 * <pre>
 * Sat Dec  5 06:12:01 2026 1 192.0.2.7 5120 /in/a.csv b _ i r alice ftp 0 * c
 * </pre>
 *
 * current time (UTC), whole seconds taken, remote host, bytes, file name, type ({@code b}: Dropzone
 * stores bytes as sent), action ({@code _}), direction ({@code i} in, {@code o} out), access mode
 * ({@code r}: a real user), user name, service ({@code ftp}), authentication method ({@code 0}),
 * authenticated user id ({@code *}), status ({@code c} complete, {@code i} incomplete). Fields are
 * separated by spaces, so whitespace and control characters in names become {@code _}. Transfers
 * refused before they started are not transfers and get no line (the audit log has them).
 */
public final class XferLog implements FtpEventListener, AutoCloseable {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final LineSink sink;

  private XferLog(LineSink sink) {
    this.sink = sink;
  }

  /**
   * Appends to {@code file}.
   *
   * @throws IOException when it cannot be opened for appending
   */
  public static XferLog open(Path file) throws IOException {
    return new XferLog(LineSink.append("xferlog", file));
  }

  @Override
  public void on(FtpEvent event) {
    if (event instanceof FtpEvent.Transferred transferred && !transferred.duration().isZero()) {
      sink.write(line(transferred));
    }
  }

  static String line(FtpEvent.Transferred transferred) {
    return String.join(
        " ",
        TIME.format(transferred.time()),
        Long.toString(Math.round(transferred.duration().toMillis() / 1000.0)),
        field(transferred.client().address()),
        Long.toString(transferred.bytes()),
        field(transferred.path()),
        "b",
        "_",
        transferred.direction() == FtpEvent.Direction.UPLOAD ? "i" : "o",
        "r",
        field(transferred.client().user()),
        "ftp",
        "0",
        "*",
        "ok".equals(transferred.answer().result()) ? "c" : "i");
  }

  /** A value as one space-free token: whitespace and control characters become {@code _}. */
  private static String field(String value) {
    if (value == null || value.isEmpty()) {
      return "-";
    }
    StringBuilder out = new StringBuilder(value.length());
    value
        .codePoints()
        .forEach(
            c ->
                out.appendCodePoint(
                    Character.isWhitespace(c)
                            || Character.isISOControl(c)
                            || Character.isSpaceChar(c)
                            || c == 0x2028
                            || c == 0x2029
                        ? '_'
                        : c));
    return out.toString();
  }

  @Override
  public void close() {
    sink.close();
  }
}
