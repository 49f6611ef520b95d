package dev.dropzone.gateway.ftp.connection;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Admission of control connections, with separate budgets for connections that have not logged in
 * yet and for logged-in sessions: a flood of connections that never log in uses up only the
 * pre-login budget, so users at work keep their places and new users can still get in.
 *
 * <ul>
 *   <li>Logged-in sessions: at most {@link Limits#maxLoggedIn} in total.
 *   <li>Not logged in yet: at most {@link Limits#maxPreLoginPerAddress} per address, and {@link
 *       Limits#maxPreLogin} in total. When the total is reached, a new connection takes the place
 *       of the one that has been waiting longest without a word (or, if all have spoken, the one
 *       silent for longest), which is shed: a flood of idle connections cannot lock real clients
 *       out, it only shortens how long an idle connection may wait.
 *   <li>Per address, logged in or not: at most {@link Limits#maxPerAddress}.
 * </ul>
 *
 * An "address" is what {@link Limits#networks} counts as one client: an IPv6 host cannot escape
 * these limits by connecting from ever new addresses of its network.
 *
 * <p>Thread-safe.
 */
public final class ConnectionGuard {

  /**
   * Limits, each at least 1.
   *
   * @param maxLoggedIn logged-in sessions in total
   * @param maxPerAddress connections from one address, logged in or not
   * @param maxPreLogin connections not logged in yet, in total
   * @param maxPreLoginPerAddress connections not logged in yet from one address
   * @param networks what counts as one address
   */
  public record Limits(
      int maxLoggedIn,
      int maxPerAddress,
      int maxPreLogin,
      int maxPreLoginPerAddress,
      ClientNetworks networks) {
    public Limits {
      if (maxLoggedIn < 1 || maxPerAddress < 1 || maxPreLogin < 1 || maxPreLoginPerAddress < 1) {
        throw new IllegalArgumentException("connection limits must be at least 1: " + this);
      }
      Objects.requireNonNull(networks, "networks");
    }

    /** Limits that count IPv6 clients per {@link ClientNetworks#DEFAULT} network. */
    public Limits(int maxLoggedIn, int maxPerAddress, int maxPreLogin, int maxPreLoginPerAddress) {
      this(maxLoggedIn, maxPerAddress, maxPreLogin, maxPreLoginPerAddress, ClientNetworks.DEFAULT);
    }
  }

  /** What the guard needs to know about a connection, and how it closes one to make room. */
  public interface Connection {
    /** True once the client has sent anything. */
    boolean hasSpoken();

    /** When the client last sent something, or connected if it never did (milliseconds). */
    long lastActivityMillis();

    /** Closes the connection, telling the client why; its place is already given back. */
    void shed();
  }

  /** The outcome of {@link #admit}: a place, or the reason for the refusal. */
  public sealed interface Admission permits Admitted, Refused {}

  /** Admitted; give the place back with {@link #release} when the connection closes. */
  public record Admitted(Place place) implements Admission {}

  /**
   * Refused with a reason for the client; nothing was counted.
   *
   * @param cause the reason for audit and metrics: {@code shutting_down}, {@code server_full},
   *     {@code address_limit}, {@code address_waiting_limit} (or {@code banned} and {@code
   *     address_rate}, given by the caller)
   */
  public record Refused(String reason, String cause) implements Admission {}

  /** A connection's place, held from admission until {@link #release}. */
  public static final class Place {
    private final InetAddress address;
    private final Connection connection;
    private boolean loggedIn;
    private boolean released;

    private Place(InetAddress address, Connection connection) {
      this.address = address;
      this.connection = connection;
    }

    /** The address this place is counted under ({@link ClientNetworks#of}). */
    public InetAddress address() {
      return address;
    }
  }

  private static final class Counts {
    int preLogin;
    int loggedIn;

    int total() {
      return preLogin + loggedIn;
    }
  }

  private final Limits limits;
  private final Map<InetAddress, Counts> byAddress = new HashMap<>();
  private final Set<Place> waiting = new LinkedHashSet<>();
  private int loggedIn;
  private boolean closing;

  public ConnectionGuard(Limits limits) {
    this.limits = limits;
  }

  /** Counts a new connection from {@code client} as not logged in, or says why it is refused. */
  public Admission admit(InetAddress client, Connection connection) {
    InetAddress address = limits.networks().of(client);
    Place shed;
    Place place;
    synchronized (this) {
      if (closing) {
        return new Refused("Server is shutting down, try again later", "shutting_down");
      }
      if (loggedIn >= limits.maxLoggedIn()) {
        return new Refused("Too many connections to this server, try again later", "server_full");
      }
      Counts counts = byAddress.get(address);
      if (counts != null && counts.total() >= limits.maxPerAddress()) {
        return new Refused(
            "Too many connections from "
                + limits.networks().describe(client)
                + " (limit "
                + limits.maxPerAddress()
                + "), try again later",
            "address_limit");
      }
      if (counts != null && counts.preLogin >= limits.maxPreLoginPerAddress()) {
        return new Refused(
            "Too many connections from "
                + limits.networks().describe(client)
                + " that have not logged in (limit "
                + limits.maxPreLoginPerAddress()
                + "), log in on one of them first",
            "address_waiting_limit");
      }
      shed = waiting.size() >= limits.maxPreLogin() ? longestIdle() : null;
      if (shed != null) {
        releaseLocked(shed);
      }
      place = new Place(address, connection);
      byAddress.computeIfAbsent(address, a -> new Counts()).preLogin++;
      waiting.add(place);
    }
    if (shed != null) {
      shed.connection.shed();
    }
    return new Admitted(place);
  }

  /** The waiting connection that never spoke and waited longest, else the one silent longest. */
  private Place longestIdle() {
    Place silent = null;
    Place quiet = null;
    for (Place p : waiting) {
      if (!p.connection.hasSpoken()) {
        if (silent == null
            || p.connection.lastActivityMillis() < silent.connection.lastActivityMillis()) {
          silent = p;
        }
      } else if (quiet == null
          || p.connection.lastActivityMillis() < quiet.connection.lastActivityMillis()) {
        quiet = p;
      }
    }
    return silent != null ? silent : quiet;
  }

  /**
   * Moves {@code place} from the pre-login budget to the logged-in one.
   *
   * @return null when done, else the reason the login is refused (the place stays pre-login)
   */
  public synchronized String logIn(Place place) {
    if (place.released) {
      return "Connection closed";
    }
    if (place.loggedIn) {
      return null;
    }
    if (loggedIn >= limits.maxLoggedIn()) {
      return "Too many users logged in (limit " + limits.maxLoggedIn() + "), try again later";
    }
    waiting.remove(place);
    Counts counts = byAddress.get(place.address);
    counts.preLogin--;
    counts.loggedIn++;
    loggedIn++;
    place.loggedIn = true;
    return null;
  }

  /** Gives the place back; calling it again, or for a shed connection, does nothing. */
  public synchronized void release(Place place) {
    releaseLocked(place);
  }

  private void releaseLocked(Place place) {
    if (place.released) {
      return;
    }
    place.released = true;
    Counts counts = byAddress.get(place.address);
    if (place.loggedIn) {
      counts.loggedIn--;
      loggedIn--;
    } else {
      counts.preLogin--;
      waiting.remove(place);
    }
    if (counts.total() == 0) {
      byAddress.remove(place.address);
    }
  }

  /**
   * From now on every new connection is refused. (Unbinding MINA's acceptor instead would close the
   * running sessions too, and with them their transfers.)
   */
  public synchronized void refuseNewConnections() {
    closing = true;
  }

  /** Connections that have not logged in yet. */
  public synchronized int preLoginCount() {
    return waiting.size();
  }

  /** Logged-in sessions. */
  public synchronized int loggedInCount() {
    return loggedIn;
  }
}
