package dev.dropzone.gateway.ftp.connection;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.InetAddress;
import java.time.Duration;

/**
 * How fast one client network may open control connections ({@code
 * ftp.maxNewConnectionsPerIpPerMinute}). The connection limits bound how many are open at once, not
 * how fast they come: a client that connects and resets in a loop stays under them and still costs
 * a TCP accept, a session and two audit lines per connection, thousands a second. Each network gets
 * a bucket of that many connections that refills evenly over a minute, so a burst of up to a
 * minute's worth passes and a steady stream is held to the rate.
 *
 * <p>Thread-safe.
 */
public final class ConnectionRate {

  /**
   * Networks tracked at once; beyond it the least recently seen are forgotten (with full buckets).
   */
  static final long MAX_NETWORKS = 100_000;

  private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

  private final int perMinute;
  private final ClientNetworks networks;
  private final Ticker ticker;
  private final Cache<InetAddress, Bucket> buckets;

  /**
   * @param perMinute new connections per network and minute; 0 for no limit
   */
  public ConnectionRate(int perMinute, ClientNetworks networks, Ticker ticker) {
    if (perMinute < 0) {
      throw new IllegalArgumentException("a connection rate cannot be negative: " + perMinute);
    }
    this.perMinute = perMinute;
    this.networks = networks;
    this.ticker = ticker;
    // A bucket untouched for a minute is full again: forgetting it then changes nothing.
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(MAX_NETWORKS)
            .expireAfterAccess(Duration.ofMinutes(1))
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  /** True when {@code client} may open one more connection now (and counts it). */
  public boolean take(InetAddress client) {
    if (perMinute == 0) {
      return true;
    }
    Bucket bucket = buckets.get(networks.of(client), a -> new Bucket(perMinute, ticker.read()));
    synchronized (bucket) {
      return bucket.take(perMinute, ticker.read());
    }
  }

  /** The refusal a client over the rate gets. */
  public String refusal(InetAddress client) {
    return "Too many new connections from "
        + networks.describe(client)
        + " (limit "
        + perMinute
        + " a minute), try again in a few seconds";
  }

  private static final class Bucket {
    private double tokens;
    private long refilled;

    Bucket(int perMinute, long now) {
      this.tokens = perMinute;
      this.refilled = now;
    }

    boolean take(int perMinute, long now) {
      tokens = Math.min(perMinute, tokens + (double) (now - refilled) * perMinute / MINUTE_NANOS);
      refilled = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }
}
