package dev.dropzone.gateway.ftp.data;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/** A passive port listening for one data connection; closing it gives the port back. */
final class PassiveListener implements AutoCloseable {

  private final ServerSocket socket;
  private final PassivePorts ports;
  private final int lentPort;
  private final AtomicBoolean closed = new AtomicBoolean();

  PassiveListener(ServerSocket socket, PassivePorts ports, int lentPort) {
    this.socket = socket;
    this.ports = ports;
    this.lentPort = lentPort;
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** Waits up to {@code timeoutMillis} (at least 1) for the next connection. */
  Socket accept(long timeoutMillis) throws IOException {
    socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis)));
    return socket.accept();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      // Closing a listening socket only fails if it is already gone.
    } finally {
      if (lentPort != 0) {
        ports.giveBack(lentPort);
      }
    }
  }
}
