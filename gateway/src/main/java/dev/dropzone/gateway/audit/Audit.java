package dev.dropzone.gateway.audit;

import dev.dropzone.gateway.ftp.events.FtpEventListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit outputs a running gateway writes: the JSON audit log and the xferlog, as configured.
 */
public final class Audit implements AutoCloseable {

  private final AuditLog log;
  private final XferLog xferlog;

  private Audit(AuditLog log, XferLog xferlog) {
    this.log = log;
    this.xferlog = xferlog;
  }

  /**
   * Opens what {@code settings} turns on.
   *
   * @throws IOException naming the file that cannot be opened for appending
   */
  public static Audit open(AuditSettings settings) throws IOException {
    AuditLog log = AuditLog.open(settings.target());
    try {
      return new Audit(log, settings.xferlog() == null ? null : XferLog.open(settings.xferlog()));
    } catch (IOException | RuntimeException e) {
      if (log != null) {
        log.close();
      }
      throw e;
    }
  }

  /** Where the FTP server's events go to be audited. */
  public FtpEventListener events() {
    List<FtpEventListener> consumers = new ArrayList<>();
    if (log != null) {
      consumers.add(new FtpAudit(log));
    }
    if (xferlog != null) {
      consumers.add(xferlog);
    }
    return FtpEventListener.all(consumers);
  }

  /** The JSON audit log, or null when {@code audit.target} is off. */
  public AuditLog log() {
    return log;
  }

  @Override
  public void close() {
    try {
      if (xferlog != null) {
        xferlog.close();
      }
    } finally {
      if (log != null) {
        log.close();
      }
    }
  }
}
