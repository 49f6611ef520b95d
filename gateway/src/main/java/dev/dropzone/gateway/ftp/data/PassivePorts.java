package dev.dropzone.gateway.ftp.data;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The passive port range all sessions share. Each port is lent to at most one {@link
 * PassiveListener} at a time and comes back when that listener closes, whoever closes it (the
 * session, a newer PASV, the accept timeout), so the range cannot leak away.
 */
public final class PassivePorts {

  private final List<Integer> ports;
  private final Set<Integer> lent = new HashSet<>();
  private int next;

  private PassivePorts(List<Integer> ports) {
    this.ports = ports;
  }

  /**
   * @param spec {@code 0} (any free port), {@code 50000-50100}, {@code 50000,50002}, or a mix;
   *     already validated by the configuration
   */
  public static PassivePorts parse(String spec) {
    Set<Integer> ports = new LinkedHashSet<>();
    for (String item : spec.split(",")) {
      String[] bounds = item.trim().split("-");
      int low = Integer.parseInt(bounds[0].trim());
      int high = bounds.length == 2 ? Integer.parseInt(bounds[1].trim()) : low;
      for (int port = low; port <= high; port++) {
        if (port != 0) {
          ports.add(port);
        }
      }
    }
    return new PassivePorts(new ArrayList<>(ports));
  }

  /** Ports lent out right now (for tests and monitoring). */
  public synchronized int inUse() {
    return lent.size();
  }

  /**
   * Opens a listener on the next free port of the range (any free port if the range is {@code 0}).
   *
   * @throws DataConnectionRefusedException when every port of the range is taken
   */
  PassiveListener open(InetAddress address) throws IOException {
    if (ports.isEmpty()) {
      return new PassiveListener(bind(address, 0), this, 0);
    }
    synchronized (this) {
      for (int tried = 0; tried < ports.size(); tried++) {
        int port = ports.get((next + tried) % ports.size());
        if (lent.contains(port)) {
          continue;
        }
        ServerSocket socket;
        try {
          socket = bind(address, port);
        } catch (IOException e) {
          continue; // another process holds it
        }
        lent.add(port);
        next = (next + tried + 1) % ports.size();
        return new PassiveListener(socket, this, port);
      }
    }
    throw new DataConnectionRefusedException(
        "All "
            + ports.size()
            + " passive ports are in use; try again shortly (the operator may need a larger"
            + " ftp.passivePorts range)");
  }

  synchronized void giveBack(int port) {
    lent.remove(port);
  }

  private static ServerSocket bind(InetAddress address, int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    try {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(address, port), 1);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }
}
