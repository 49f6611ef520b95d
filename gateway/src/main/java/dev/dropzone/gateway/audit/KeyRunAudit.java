package dev.dropzone.gateway.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The audit lines of one key maintenance run ({@code keys rotate}, {@code keys rewrap}, {@code keys
 * upgrade}): {@code keys_run_start} with what was asked, {@code keys_run_end} with the counts and
 * the result, tied together by {@code run_id}. Written to the same {@code audit.target} as the
 * gateway's lines; key references (key ids, versions) may appear, key material never.
 */
public final class KeyRunAudit implements AutoCloseable {

  private final AuditLog log;
  private final String run;
  private final String id = UUID.randomUUID().toString();
  private final Instant started = Instant.now();
  private boolean ended;

  private KeyRunAudit(AuditLog log, String run) {
    this.log = log;
    this.run = run;
  }

  /**
   * Opens the audit log of {@code settings} for the run {@code run} ({@code rotate}, {@code
   * rewrap}, {@code upgrade}) and writes its start line with {@code arguments}.
   *
   * @throws IOException when a file target cannot be opened for appending
   */
  public static KeyRunAudit start(AuditSettings settings, String run, Map<String, String> arguments)
      throws IOException {
    KeyRunAudit audit = new KeyRunAudit(AuditLog.open(settings.target()), run);
    audit.write("keys_run_start", audit.started, line -> arguments.forEach(line::put));
    return audit;
  }

  /** Writes the end line: {@code result} ({@code ok} or {@code failed}) and the counts. */
  public void ended(String result, Map<String, Integer> counts) {
    end(result, line -> counts.forEach(line::put));
  }

  private void end(String result, Consumer<ObjectNode> fields) {
    ended = true;
    Instant now = Instant.now();
    write(
        "keys_run_end",
        now,
        line -> {
          line.put("result", result);
          fields.accept(line);
          line.put("duration_ms", Duration.between(started, now).toMillis());
        });
  }

  private void write(String event, Instant time, Consumer<ObjectNode> fields) {
    if (log == null) {
      return;
    }
    log.record(
        time,
        event,
        line -> {
          line.put("run", run);
          line.put("run_id", id);
          line.put("operator", System.getProperty("user.name"));
          fields.accept(line);
        });
  }

  /** Ends the run as failed unless {@link #ended} said how it ended; then closes the log. */
  @Override
  public void close() {
    if (!ended) {
      end("failed", line -> line.put("detail", "the run stopped early; its error output says why"));
    }
    if (log != null) {
      log.close();
    }
  }
}
