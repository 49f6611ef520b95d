package dev.dropzone.gateway.ftp.events;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Something that happened on the FTP server that operators audit or count: one per connection
 * admitted or refused, login attempt, transfer, tree change and refused command. Consumers (the
 * change log, the audit log, the metrics) see the same events through {@link FtpEventListener}.
 *
 * <p>Events carry what the client sent (paths, user names) as given: each consumer escapes it for
 * its own format. They never carry passwords or key material.
 */
public sealed interface FtpEvent {

  /** When it happened (when the final reply was sent, for commands). */
  Instant time();

  /** The connection it happened on. */
  Client client();

  /**
   * Who an event is about.
   *
   * @param session the control connection's id (MINA's session UUID)
   * @param address the client's IP address
   * @param user the user logged in, or the name a login attempt gave; null before USER
   * @param backend the user source that accepted the user ({@code file}, {@code pam}, {@code
   *     ldap}), or the configured sources for an attempt none accepted; null before a login
   */
  record Client(String session, String address, String user, String backend) {}

  /**
   * The final reply a command got.
   *
   * @param code the reply code
   * @param text the reply text
   * @param reason why it was refused or failed, in {@code snake_case} from a small fixed set (e.g.
   *     {@code access_denied}, {@code quota}, {@code not_found}, {@code aborted_by_client}); null
   *     when it succeeded or no reason is known
   */
  record Answer(int code, String text, String reason) {

    /** No reply was sent (the connection went away first). */
    public static final Answer NONE = new Answer(0, "no reply", "no_reply");

    /**
     * {@code ok} (2xx/3xx), {@code aborted} (426: the transfer was cut off), {@code failed} (other
     * 4xx: a transient failure, worth retrying) or {@code refused} (5xx, or no reply).
     */
    public String result() {
      if (code >= 200 && code < 400) {
        return "ok";
      }
      if (code == 426) {
        return "aborted";
      }
      return code >= 400 && code < 500 ? "failed" : "refused";
    }
  }

  /** How a login attempt ended. */
  enum LoginOutcome {
    /** Logged in. */
    OK,
    /** Wrong user name or password, or the name is paused after failures. */
    FAILED,
    /** The address is banned (now, or by this failure). */
    BANNED,
    /** No user source could check the password, or the check waited too long. */
    UNAVAILABLE,
    /** The password was right but the login was not admitted (session or connection limits). */
    REFUSED;

    /** The lower-case name, as logs and metrics show it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which way file data moved. */
  enum Direction {
    UPLOAD,
    DOWNLOAD;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A control connection was admitted (its 220 greeting follows). */
  record SessionOpened(Instant time, Client client) implements FtpEvent {}

  /** An admitted control connection closed, after {@code lasted}. */
  record SessionClosed(Instant time, Client client, Duration lasted) implements FtpEvent {}

  /**
   * A connection was refused with 421 before its greeting, or closed while waiting to log in to
   * make room for new ones.
   *
   * @param reason {@code banned}, {@code address_rate}, {@code server_full}, {@code address_limit},
   *     {@code address_waiting_limit}, {@code shutting_down} or {@code idle_shed}
   * @param alone true when this refusal is reported on its own; false when it is one of a burst
   *     from one network that a {@link RefusalsSummarized} reports later
   */
  record ConnectionRefused(Instant time, Client client, String reason, boolean alone)
      implements FtpEvent {}

  /**
   * Connections of one network refused for one reason since {@code since} and not reported one by
   * one: the first of an interval is a {@link ConnectionRefused} of its own, the rest come here.
   *
   * @param client no session; {@code address} is the client's address, or its IPv6 network (e.g.
   *     {@code 2001:db8:0:0:0:0:0:0/64}) when refusals are counted per network
   * @param count the refusals this event stands for
   */
  record RefusalsSummarized(Instant time, Client client, String reason, long count, Instant since)
      implements FtpEvent {}

  /**
   * Connections of one network that were admitted and closed without anything else happening on
   * them (no login attempt: a port scan, a health check, a client that gave up), since {@code
   * since}. Their {@link SessionOpened} and {@link SessionClosed} reach the audit log only for the
   * first of an interval; the rest come here, so a connect-and-close flood cannot fill the disk.
   *
   * @param client no session; {@code address} as for {@link RefusalsSummarized}
   * @param count the connections this event stands for
   */
  record EmptySessionsSummarized(Instant time, Client client, long count, Instant since)
      implements FtpEvent {}

  /**
   * A PASS was answered.
   *
   * @param detail why it did not log in, as the log says it; null for {@link LoginOutcome#OK}
   */
  record Login(Instant time, Client client, LoginOutcome outcome, String detail)
      implements FtpEvent {}

  /**
   * A logged-in session was ended because its user source took the login back.
   *
   * @param reason what happened to the account, e.g. {@code removed from the users file}
   */
  record LoginRevoked(Instant time, Client client, String reason) implements FtpEvent {}

  /**
   * An upload (STOR, APPE, STOU) or download (RETR) ended, whether it moved data or was refused.
   *
   * @param command the FTP command
   * @param path the file (for STOU the name it got, once known)
   * @param offset where the data started in the file: the REST offset, or the existing size for
   *     APPE
   * @param bytes bytes that crossed the data connection
   * @param duration from the transfer's start to its final reply; zero when it never started
   * @param firstByte from the transfer's start to its first byte on the data connection; null when
   *     none moved
   * @param sha256 the SHA-256 of the whole stored file's plaintext as the store computed it while
   *     the upload streamed; null for downloads and uploads that stored nothing
   */
  record Transferred(
      Instant time,
      Client client,
      String command,
      Direction direction,
      String path,
      long offset,
      long bytes,
      Duration duration,
      Duration firstByte,
      Answer answer,
      byte[] sha256)
      implements FtpEvent {}

  /**
   * A command that changes the tree without a transfer ended: DELE, MKD, RMD, RNTO.
   *
   * @param path the path the command named; for RNTO the rename source
   * @param to the rename target (RNTO only), else null
   */
  record Changed(Instant time, Client client, String command, String path, String to, Answer answer)
      implements FtpEvent {

    /** {@code delete}, {@code mkdir}, {@code rmdir} or {@code rename}. */
    public String operation() {
      return switch (command) {
        case "DELE" -> "delete";
        case "MKD" -> "mkdir";
        case "RMD" -> "rmdir";
        case "RNTO" -> "rename";
        default -> command.toLowerCase(Locale.ROOT);
      };
    }
  }

  /**
   * Any other command refused by a policy rather than failing: a path outside the home or invalid,
   * a missing permission, a quota, TLS required.
   *
   * @param path the command's argument (may be null)
   */
  record Refused(Instant time, Client client, String command, String path, Answer answer)
      implements FtpEvent {}
}
