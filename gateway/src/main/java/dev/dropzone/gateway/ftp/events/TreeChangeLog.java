package dev.dropzone.gateway.ftp.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line on the {@code dev.dropzone.gateway.changes} logger for each command that changed,
 * or tried to change, a user's tree (DELE, RNTO, MKD, RMD, STOR, APPE, STOU), whatever its outcome:
 * who, from which address, what, on which path, and the reply the client got, e.g.
 *
 * <pre>
 * user=alice address=192.0.2.7 command=RNTO path="/in/a.csv" to="/done/a.csv" result="250 Renamed /in/a.csv to /done/a.csv"
 * </pre>
 *
 * Everything that came from the client is escaped, so no input can forge or split a line. The audit
 * log says the same and more as JSON; this line stays for those who read the ordinary log.
 */
public final class TreeChangeLog implements FtpEventListener {

  private static final Logger LOG = LoggerFactory.getLogger("dev.dropzone.gateway.changes");

  @Override
  public void on(FtpEvent event) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    if (event instanceof FtpEvent.Changed changed) {
      log(
          changed.client(),
          changed.command(),
          "RNTO".equals(changed.command()) && changed.path() == null ? "(no RNFR)" : changed.path(),
          changed.to(),
          changed.answer());
    } else if (event instanceof FtpEvent.Transferred transferred
        && transferred.direction() == FtpEvent.Direction.UPLOAD) {
      log(
          transferred.client(),
          transferred.command(),
          transferred.path(),
          null,
          transferred.answer());
    }
  }

  private static void log(
      FtpEvent.Client client, String command, String path, String to, FtpEvent.Answer answer) {
    StringBuilder line = new StringBuilder(160);
    line.append("user=").append(escape(client.user() == null ? "-" : client.user()));
    line.append(" address=").append(escape(client.address()));
    line.append(" command=").append(escape(command));
    line.append(" path=").append(quoted(path == null ? "" : path));
    if (to != null) {
      line.append(" to=").append(quoted(to));
    }
    line.append(" result=")
        .append(
            quoted(
                answer == FtpEvent.Answer.NONE ? "no reply" : answer.code() + " " + answer.text()));
    LOG.info("{}", line);
  }

  private static String quoted(String text) {
    return '"' + escape(text) + '"';
  }

  /**
   * Control characters (C0, DEL, C1, Unicode line and paragraph separators), backslashes and quotes
   * as escape sequences, so a value stays inside its quotes on one line.
   */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' || c == '"') {
        out.append('\\').append(c);
      } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
