package dev.dropzone.gateway.admin;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the admin endpoint's open connections, in all and per client address. Probes and scrapers
 * need a handful; without a cap anyone who reaches the port could open connections until the
 * process runs out of the file descriptors the FTP server needs as well (the idle timeout ends each
 * one only after a while). The cap per address keeps one client that holds connections open from
 * shutting out the orchestrator's probes, which come from addresses of their own. Connections
 * beyond either cap are closed as they arrive; the ones open are served as before.
 */
final class AdminConnections {

  private static final Logger LOG = LoggerFactory.getLogger(AdminConnections.class);
  private static final long WARN_EVERY = Duration.ofMinutes(1).toNanos();

  private final int max;
  private final int maxPerAddress;
  private final LongSupplier nanoTime;
  private final Map<String, Integer> perAddress = new HashMap<>();
  private final AtomicInteger closedSinceWarning = new AtomicInteger();
  private final AtomicLong nextWarning;
  private int open;

  AdminConnections(int max, int maxPerAddress, LongSupplier nanoTime) {
    this.max = max;
    this.maxPerAddress = maxPerAddress;
    this.nanoTime = nanoTime;
    this.nextWarning = new AtomicLong(nanoTime.getAsLong());
  }

  /** The server's connection handler: keeps the connection if there is room, closes it if not. */
  void accept(HttpConnection connection) {
    String address = host(connection.remoteAddress());
    if (!admit(address)) {
      connection.close();
      refused(connection);
      return;
    }
    connection.closeHandler(closed -> release(address));
  }

  private synchronized boolean admit(String address) {
    int fromThere = perAddress.getOrDefault(address, 0);
    if (open >= max || fromThere >= maxPerAddress) {
      return false;
    }
    open++;
    perAddress.put(address, fromThere + 1);
    return true;
  }

  private synchronized void release(String address) {
    open--;
    perAddress.computeIfPresent(address, (key, count) -> count > 1 ? count - 1 : null);
  }

  private static String host(SocketAddress address) {
    return address == null ? "?" : address.hostAddress();
  }

  /** One WARN a minute at most, with the count since the last: a flood must not flood the log. */
  private void refused(HttpConnection connection) {
    int refused = closedSinceWarning.incrementAndGet();
    long now = nanoTime.getAsLong();
    long due = nextWarning.get();
    if (now - due >= 0 && nextWarning.compareAndSet(due, now + WARN_EVERY)) {
      closedSinceWarning.addAndGet(-refused);
      LOG.warn(
          "Admin endpoint: closed {} new connection(s), the latest from {}, beyond the {} it keeps"
              + " open in all or the {} per address. Probes and scrapers need a few: find what"
              + " holds the others open, or keep the port (admin.bind) out of its reach",
          refused,
          connection.remoteAddress(),
          max,
          maxPerAddress);
    }
  }
}
