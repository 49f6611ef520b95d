package dev.dropzone.bench.soak;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The gateway's passive port range in a soak run: a run of consecutive ports free when the run
 * starts, below the kernel's ephemeral range so no outgoing connection takes one meanwhile, and a
 * count of the sockets listening on them, read from the kernel's table.
 */
record PortRange(int first, int last) {

  /** Where to look for free ports: below the usual ephemeral range (32768–60999). */
  private static final int SEARCH_FROM = 20_000;

  private static final int SEARCH_TO = 32_000;

  static PortRange findFree(int size) throws IOException {
    int start = SEARCH_FROM + (int) (ProcessHandle.current().pid() % 4_000);
    for (int first = start; first + size < SEARCH_TO; first += size) {
      if (allFree(first, size)) {
        return new PortRange(first, first + size - 1);
      }
    }
    throw new IOException("no " + size + " consecutive free ports between 20000 and 32000");
  }

  private static boolean allFree(int first, int size) {
    for (int port = first; port < first + size; port++) {
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        // free
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  int size() {
    return last - first + 1;
  }

  /** As the gateway's {@code ftp.passivePorts} setting. */
  String setting() {
    return first + "-" + last;
  }

  /** Sockets in LISTEN state on a port of this range (IPv4 and IPv6). */
  long listening() throws IOException {
    long count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      for (String line : Files.readAllLines(file)) {
        String[] fields = line.trim().split("\\s+");
        // sl local_address rem_address st ...: 0A is LISTEN; the port is hex after the colon.
        if (fields.length > 3 && fields[3].equals("0A") && fields[1].contains(":")) {
          int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16);
          if (port >= first && port <= last) {
            count++;
          }
        }
      }
    }
    return count;
  }
}
