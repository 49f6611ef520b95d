package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.ftp.control.RequestLines;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.SessionEvents;
import dev.dropzone.store.StoreException;
import java.time.Instant;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;

/**
 * The one place that decides which FTP reply a store failure becomes, and what an operator should
 * do about it. Every reply Dropzone writes itself goes through {@link #reply} so that no client
 * supplied text can smuggle a line break into the control connection.
 */
public final class ReplyMapper {

  /** Whether the failure happened while data was moving (426 family) or before it (5xx). */
  public enum Phase {
    COMMAND,
    TRANSFER
  }

  /**
   * @param reply what the client is told
   * @param advice what the operator should do, for the log line
   * @param serverSide true when the cause lies with the gateway or its services, not the client
   */
  public record Mapped(FtpReply reply, String advice, boolean serverSide) {}

  private ReplyMapper() {}

  public static FtpReply reply(int code, String text) {
    return new DefaultFtpReply(code, oneLine(text));
  }

  /**
   * A refusal or failure that carries its reason for the audit log and metrics ({@code snake_case},
   * one of a small fixed set), read back with {@link #reason}.
   */
  public static FtpReply reply(int code, String text, String reason) {
    return new ReasonedReply(code, oneLine(text), reason);
  }

  /** {@code reply} as events record it; {@link FtpEvent.Answer#NONE} for null. */
  public static FtpEvent.Answer answer(FtpReply reply) {
    return reply == null
        ? FtpEvent.Answer.NONE
        : new FtpEvent.Answer(reply.getCode(), reply.getMessage(), reason(reply));
  }

  /**
   * Fires the event of {@code request} refused by a policy with {@code reply} (sent already). Takes
   * the ftplet session, which both commands and ftplets have.
   */
  public static void refused(FtpSession session, FtpRequest request, FtpReply reply) {
    SessionEvents.fire(
        session,
        new FtpEvent.Refused(
            Instant.now(),
            SessionEvents.client(session),
            request.getCommand(),
            // A PASS refused (TLS required) must not put the password in the audit log.
            "PASS".equals(request.getCommand()) ? null : RequestLines.argument(session, request),
            answer(reply)));
  }

  /** Why {@code reply} refused or failed, or null when it does not say. */
  public static String reason(FtpReply reply) {
    return reply instanceof ReasonedReply reasoned ? reasoned.reason : null;
  }

  private static final class ReasonedReply extends DefaultFtpReply {
    private final String reason;

    ReasonedReply(int code, String text, String reason) {
      super(code, text);
      this.reason = reason;
    }
  }

  /** {@link #map(StoreException, Phase, UnaryOperator)} for messages that name no storage keys. */
  public static Mapped map(StoreException e, Phase phase) {
    return map(e, phase, UnaryOperator.identity());
  }

  /**
   * The reply and advice for {@code e}. Storage and key-service failures get fixed texts, since
   * their messages are for the operator's log; every message that does reach the client goes
   * through {@code forClient} first, which takes storage key names out of it.
   */
  public static Mapped map(StoreException e, Phase phase, UnaryOperator<String> forClient) {
    Mapped mapped = mapped(e, phase, forClient);
    FtpReply reply = mapped.reply();
    return new Mapped(
        reply(reply.getCode(), reply.getMessage(), e.reason().name().toLowerCase(Locale.ROOT)),
        mapped.advice(),
        mapped.serverSide());
  }

  private static Mapped mapped(StoreException e, Phase phase, UnaryOperator<String> forClient) {
    String message = forClient.apply(e.getMessage() == null ? e.reason().name() : e.getMessage());
    boolean transfer = phase == Phase.TRANSFER;
    return switch (e.reason()) {
      case NOT_FOUND -> client(550, message);
      case ALREADY_EXISTS -> client(550, message);
      case NOT_EMPTY -> client(550, message);
      case NOT_A_DIRECTORY -> client(550, message);
      case NOT_A_FILE -> client(550, message);
      case ACCESS_DENIED ->
          new Mapped(
              reply(550, message), "if the user should have access, grant the permission", false);
      case INVALID_PATH -> client(553, message);
      case OUT_OF_RANGE -> client(554, message);
      case QUOTA -> client(552, message);
      case INTEGRITY ->
          new Mapped(
              transfer
                  ? reply(426, "Transfer aborted: integrity check failed")
                  : reply(550, "Integrity check failed: " + withoutPrefix(message)),
              "the stored object failed authentication: it was modified, truncated or not written"
                  + " by Dropzone; restore it from a backup",
              true);
      case KEY_SERVICE_UNAVAILABLE ->
          new Mapped(
              reply(451, "Key service unavailable, try again later"),
              "check that the key service is reachable and healthy",
              true);
      case KEY_REJECTED ->
          new Mapped(
              reply(550, "Key service refused this file's key"),
              "the master key was revoked, deleted or is the wrong one; check the key service",
              true);
      case STORAGE_UNAVAILABLE ->
          new Mapped(
              reply(451, "Storage unavailable, try again later"),
              "check S3 connectivity, credentials and the bucket",
              true);
      case STORAGE_DENIED ->
          new Mapped(
              reply(451, "Storage refused the server's request, try again later"),
              "S3 refused the gateway's own credentials or policy (not the client's doing): fix"
                  + " what the message names; see the IAM policy in the README",
              true);
      case PARTIAL ->
          new Mapped(
              reply(451, message),
              "a multi-object operation stopped part way; the client can retry it",
              true);
      case NOT_SUPPORTED -> client(504, message);
      case ABORTED ->
          new Mapped(reply(426, "Transfer aborted: " + message), "none: nothing was stored", false);
      case CONTENT_REJECTED ->
          new Mapped(
              reply(550, message),
              "none: the scanner matched a signature and nothing was stored; if this is a false"
                  + " positive, change the signature or the user's scan setting",
              false);
      case SCANNER_UNAVAILABLE ->
          new Mapped(
              reply(451, message),
              "check that clamd is running and reachable at scan.clamd and answers within"
                  + " scan.verdictTimeout",
              true);
      case TOO_LARGE -> client(552, message);
      // RFC 959's "page type unknown": the same bytes sent again would fail the same way.
      case MALFORMED -> client(551, message);
      case CHANGED ->
          new Mapped(
              transfer
                  ? reply(
                      426, "Transfer aborted: the file was replaced while it was sent; try again")
                  : reply(450, message),
              "another upload replaced the file during the operation, and a retry sees the new"
                  + " version; if this happens to files nobody replaced, the S3 server does not"
                  + " honour If-Match with the ETags it lists (check its S3 compatibility)",
              true);
    };
  }

  private static Mapped client(int code, String message) {
    return new Mapped(reply(code, message), "none: the request itself was refused", false);
  }

  /**
   * The store's message without its own "integrity check failed: ", which the reply starts with.
   */
  private static String withoutPrefix(String message) {
    String prefix = "integrity check failed: ";
    return message.regionMatches(true, 0, prefix, 0, prefix.length())
        ? message.substring(prefix.length())
        : message;
  }

  static String oneLine(String text) {
    return text.replace('\r', ' ').replace('\n', ' ');
  }
}
