package dev.dropzone.gateway.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * The audit log: one JSON object per line, each with {@code time} (ISO-8601, UTC) and {@code event}
 * first, then the event's own fields. Strings are JSON-escaped, and beyond what JSON requires every
 * character that could steer a terminal or split a line for a reader (DEL, C1 controls such as the
 * one-byte CSI, Unicode line and paragraph separators) is written as a {@code \}{@code uXXXX}
 * escape, so a file name cannot forge a line or recolour a screen.
 *
 * <p>Callers put in what an event is about, never secrets: no password, key or S3 credential is
 * passed to it anywhere.
 */
public final class AuditLog implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    JSON.getFactory().setCharacterEscapes(new TerminalSafe());
  }

  private final LineSink sink;

  private AuditLog(LineSink sink) {
    this.sink = sink;
  }

  /**
   * Opens the audit log at {@code target}; null for {@link AuditTarget.Off}.
   *
   * @throws IOException when a file target cannot be opened for appending
   */
  public static AuditLog open(AuditTarget target) throws IOException {
    if (target instanceof AuditTarget.Off) {
      return null;
    }
    if (target instanceof AuditTarget.Stdout) {
      return new AuditLog(LineSink.of("audit log", System.out));
    }
    if (target instanceof AuditTarget.Stderr) {
      return new AuditLog(LineSink.of("audit log", System.err));
    }
    return new AuditLog(LineSink.append("audit log", ((AuditTarget.File) target).path()));
  }

  /** Writes one line: {@code time}, {@code event}, then what {@code fields} adds. */
  public void record(Instant time, String event, Consumer<ObjectNode> fields) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", DateTimeFormatter.ISO_INSTANT.format(time));
    line.put("event", event);
    fields.accept(line);
    try {
      sink.write(JSON.writeValueAsString(line));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an audit line could not be written as JSON", e);
    }
  }

  @Override
  public void close() {
    sink.close();
  }

  /** JSON's escapes plus DEL, the C1 controls and the Unicode line separators. */
  private static final class TerminalSafe extends CharacterEscapes {

    private static final int[] ASCII = standardAsciiEscapesForJSON();

    static {
      ASCII[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ASCII;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if ((ch >= 0x80 && ch <= 0x9f) || ch == 0x2028 || ch == 0x2029) {
        return new SerializedString(String.format("\\u%04x", ch));
      }
      return null;
    }
  }
}
