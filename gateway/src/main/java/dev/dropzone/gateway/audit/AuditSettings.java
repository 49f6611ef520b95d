package dev.dropzone.gateway.audit;

import java.nio.file.Path;

/**
 * The audit configuration.
 *
 * @param target where the JSON audit lines go ({@code audit.target})
 * @param xferlog the file transfers are also appended to in xferlog format, or null ({@code
 *     audit.xferlog})
 */
public record AuditSettings(AuditTarget target, Path xferlog) {

  /** No audit log and no xferlog. */
  public static final AuditSettings OFF = new AuditSettings(new AuditTarget.Off(), null);
}
