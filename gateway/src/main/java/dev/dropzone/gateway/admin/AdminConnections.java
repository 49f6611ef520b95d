package dev.dropzone.gateway.admin;

import io.vertx.core.http.HttpConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the admin endpoint's open connections. Probes and scrapers need a handful; without a cap
 * anyone who reaches the port could open connections until the process runs out of the file
 * descriptors the FTP server needs as well (the idle timeout ends each one only after a while).
 * Connections beyond the cap are closed as they arrive; the ones open are served as before.
 */
final class AdminConnections {

  private static final Logger LOG = LoggerFactory.getLogger(AdminConnections.class);
  private static final long WARN_EVERY = Duration.ofMinutes(1).toNanos();

  private final int max;
  private final LongSupplier nanoTime;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger closedSinceWarning = new AtomicInteger();
  private final AtomicLong nextWarning;

  AdminConnections(int max, LongSupplier nanoTime) {
    this.max = max;
    this.nanoTime = nanoTime;
    this.nextWarning = new AtomicLong(nanoTime.getAsLong());
  }

  /** The server's connection handler: keeps the connection if there is room, closes it if not. */
  void accept(HttpConnection connection) {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      connection.close();
      refused(connection);
      return;
    }
    connection.closeHandler(closed -> open.decrementAndGet());
  }

  /** Connections open now. */
  int open() {
    return open.get();
  }

  /** One WARN a minute at most, with the count since the last: a flood must not flood the log. */
  private void refused(HttpConnection connection) {
    int refused = closedSinceWarning.incrementAndGet();
    long now = nanoTime.getAsLong();
    long due = nextWarning.get();
    if (now - due >= 0 && nextWarning.compareAndSet(due, now + WARN_EVERY)) {
      closedSinceWarning.addAndGet(-refused);
      LOG.warn(
          "Admin endpoint: {} connections are open, the most it keeps; closed {} new one(s), the"
              + " latest from {}. Probes and scrapers need a few: find what holds the others"
              + " open, or keep the port (admin.bind) out of its reach",
          max,
          refused,
          connection.remoteAddress());
    }
  }
}
