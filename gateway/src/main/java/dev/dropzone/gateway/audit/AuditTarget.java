package dev.dropzone.gateway.audit;

import java.nio.file.Path;

/**
 * Where audit lines go ({@code audit.target}): nowhere, the process's standard output or error, or
 * a file they are appended to.
 */
public sealed interface AuditTarget {

  /** No audit log. */
  record Off() implements AuditTarget {}

  /** Standard output: the diagnostic log goes to standard error, so the two stay apart. */
  record Stdout() implements AuditTarget {}

  /** Standard error, beside the diagnostic log. */
  record Stderr() implements AuditTarget {}

  /** A file, appended to (created readable by its owner only). */
  record File(Path path) implements AuditTarget {}

  /**
   * {@code off}, {@code stdout}, {@code stderr}, or a file path resolved against {@code baseDir}.
   */
  public static AuditTarget parse(String value, Path baseDir) {
    String text = value == null ? "" : value.strip();
    return switch (text) {
      case "", "off" -> new Off();
      case "stdout" -> new Stdout();
      case "stderr" -> new Stderr();
      default -> new File(baseDir.resolve(text));
    };
  }
}
