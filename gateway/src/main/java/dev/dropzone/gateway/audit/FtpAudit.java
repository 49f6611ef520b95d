package dev.dropzone.gateway.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.FtpEventListener;
import java.time.Duration;
import java.util.HexFormat;

/** Writes each FTP event to the {@link AuditLog} as one line (the README lists every field). */
public final class FtpAudit implements FtpEventListener {

  private final AuditLog log;

  public FtpAudit(AuditLog log) {
    this.log = log;
  }

  @Override
  public void on(FtpEvent event) {
    if (event instanceof FtpEvent.SessionOpened opened) {
      log.record(opened.time(), "session_open", line -> client(line, opened.client()));
    } else if (event instanceof FtpEvent.SessionClosed closed) {
      log.record(
          closed.time(),
          "session_close",
          line -> {
            client(line, closed.client());
            line.put("duration_ms", closed.lasted().toMillis());
          });
    } else if (event instanceof FtpEvent.ConnectionRefused refused) {
      if (refused.alone()) {
        log.record(
            refused.time(),
            "connection_refused",
            line -> {
              client(line, refused.client());
              line.put("reason", refused.reason());
            });
      }
    } else if (event instanceof FtpEvent.RefusalsSummarized summarized) {
      log.record(
          summarized.time(),
          "connections_refused",
          line -> {
            client(line, summarized.client());
            line.put("reason", summarized.reason());
            line.put("count", summarized.count());
            line.put("since", summarized.since().toString());
          });
    } else if (event instanceof FtpEvent.EmptySessionsSummarized empty) {
      log.record(
          empty.time(),
          "empty_sessions",
          line -> {
            client(line, empty.client());
            line.put("count", empty.count());
            line.put("since", empty.since().toString());
          });
    } else if (event instanceof FtpEvent.Login login) {
      log.record(
          login.time(),
          "login",
          line -> {
            client(line, login.client());
            line.put("result", login.outcome().label());
            if (login.detail() != null) {
              line.put("detail", login.detail());
            }
          });
    } else if (event instanceof FtpEvent.LoginRevoked revoked) {
      log.record(
          revoked.time(),
          "login_revoked",
          line -> {
            client(line, revoked.client());
            line.put("reason", revoked.reason());
          });
    } else if (event instanceof FtpEvent.Transferred transferred) {
      log.record(
          transferred.time(), transferred.direction().label(), line -> transfer(line, transferred));
    } else if (event instanceof FtpEvent.Changed changed) {
      String name = changed.operation();
      log.record(
          changed.time(),
          name,
          line -> {
            client(line, changed.client());
            line.put("command", changed.command());
            if ("rename".equals(name)) {
              line.put("from", changed.path());
              line.put("to", changed.to());
            } else {
              line.put("path", changed.path());
            }
            answer(line, changed.answer());
          });
    } else if (event instanceof FtpEvent.Refused refused) {
      log.record(
          refused.time(),
          "refused",
          line -> {
            client(line, refused.client());
            line.put("command", refused.command());
            line.put("path", refused.path());
            answer(line, refused.answer());
          });
    }
  }

  private static void transfer(ObjectNode line, FtpEvent.Transferred transferred) {
    client(line, transferred.client());
    line.put("command", transferred.command());
    line.put("path", transferred.path());
    line.put("offset", transferred.offset());
    line.put("bytes", transferred.bytes());
    line.put("duration_ms", millis(transferred.duration()));
    if (transferred.firstByte() != null) {
      line.put("first_byte_ms", millis(transferred.firstByte()));
    }
    answer(line, transferred.answer());
    if (transferred.sha256() != null) {
      line.put("sha256", HexFormat.of().formatHex(transferred.sha256()));
    }
  }

  private static void client(ObjectNode line, FtpEvent.Client client) {
    line.put("session", client.session());
    line.put("user", client.user());
    line.put("backend", client.backend());
    line.put("address", client.address());
  }

  private static void answer(ObjectNode line, FtpEvent.Answer answer) {
    line.put("result", answer.result());
    line.put("code", answer.code());
    line.put("reply", answer.text());
    if (answer.reason() != null) {
      line.put("reason", answer.reason());
    }
  }

  /** Milliseconds with microsecond precision: small transfers take less than one. */
  private static double millis(Duration duration) {
    return Math.round(duration.toNanos() / 1_000.0) / 1_000.0;
  }
}
