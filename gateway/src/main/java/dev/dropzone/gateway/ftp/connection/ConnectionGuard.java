package dev.dropzone.gateway.ftp.connection;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Admission control per client address: total and per-address connection limits, and a ban after
 * repeated failed logins. Thread-safe.
 */
public final class ConnectionGuard {

  /** The refusal a banned address gets. */
  public static final String BANNED = "Too many failed logins from your address, try again later";

  private final int maxConnections;
  private final int maxPerAddress;
  private final int maxLoginFailures;
  private final Duration banDuration;
  private final Clock clock;

  private final Map<InetAddress, Integer> connections = new HashMap<>();

  /** Failed logins counted within one ban duration: a slow guesser is forgotten, not banned. */
  private final Map<InetAddress, Failures> failures = new HashMap<>();

  private final Map<InetAddress, Instant> bannedUntil = new HashMap<>();
  private int total;
  private boolean closing;

  public ConnectionGuard(
      int maxConnections,
      int maxPerAddress,
      int maxLoginFailures,
      Duration banDuration,
      Clock clock) {
    this.maxConnections = maxConnections;
    this.maxPerAddress = maxPerAddress;
    this.maxLoginFailures = maxLoginFailures;
    this.banDuration = banDuration;
    this.clock = clock;
  }

  /**
   * Counts a new connection from {@code address}, or says why it is refused (then nothing is
   * counted and {@link #release} must not be called).
   */
  public synchronized Optional<String> admit(InetAddress address) {
    if (closing) {
      return Optional.of("Server is shutting down, try again later");
    }
    if (banned(address)) {
      return Optional.of(BANNED);
    }
    if (total >= maxConnections) {
      return Optional.of("Too many connections to this server, try again later");
    }
    int fromAddress = connections.getOrDefault(address, 0);
    if (fromAddress >= maxPerAddress) {
      return Optional.of(
          "Too many connections from your address (limit " + maxPerAddress + "), try again later");
    }
    connections.put(address, fromAddress + 1);
    total++;
    return Optional.empty();
  }

  /**
   * True while {@code address} is banned; also checked at each login, so connections opened before
   * the ban cannot go on guessing.
   */
  public synchronized boolean banned(InetAddress address) {
    Instant until = bannedUntil.get(address);
    if (until == null) {
      return false;
    }
    if (clock.instant().isBefore(until)) {
      return true;
    }
    bannedUntil.remove(address);
    return false;
  }

  /**
   * From now on every new connection is refused. (Unbinding MINA's acceptor instead would close the
   * running sessions too, and with them their transfers.)
   */
  public synchronized void refuseNewConnections() {
    closing = true;
  }

  public synchronized void release(InetAddress address) {
    connections.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    total--;
  }

  /**
   * Records a failed login.
   *
   * @return true when this failure got the address banned
   */
  public synchronized boolean loginFailed(InetAddress address) {
    Instant now = clock.instant();
    Failures earlier = failures.get(address);
    Failures current =
        earlier == null || earlier.expired(now, banDuration)
            ? new Failures(now, 1)
            : new Failures(earlier.since(), earlier.count() + 1);
    if (current.count() < maxLoginFailures) {
      failures.put(address, current);
      return false;
    }
    failures.remove(address);
    forgetExpired(now);
    bannedUntil.put(address, now.plus(banDuration));
    return true;
  }

  /**
   * Drops bans and failure counts that no longer matter, so addresses that never come back do not
   * accumulate. Runs when a ban is added, which bounds its cost by the rate of bans.
   */
  private void forgetExpired(Instant now) {
    bannedUntil.values().removeIf(until -> !now.isBefore(until));
    failures.values().removeIf(f -> f.expired(now, banDuration));
  }

  private record Failures(Instant since, int count) {
    boolean expired(Instant now, Duration window) {
      return !now.isBefore(since.plus(window));
    }
  }

  public synchronized void loginSucceeded(InetAddress address) {
    failures.remove(address);
  }

  public Duration banDuration() {
    return banDuration;
  }
}
