package dev.dropzone.gateway.ftp.data;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ftpserver.DataConnectionException;
import org.apache.ftpserver.ftplet.DataConnection;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;
import org.apache.ftpserver.impl.IODataConnection;
import org.apache.ftpserver.impl.ServerDataConnectionFactory;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data connection of one control connection: at most one passive listener or active target at a
 * time, then the open data socket. Everything it holds is closed when the control connection closes
 * (MINA calls {@link #closeDataConnection()} then), when PASV/EPSV/PORT/EPRT asks for a new one,
 * and a passive listener also when no connection arrived within the accept timeout.
 *
 * <p>Blocking steps (accept, connect, the TLS handshake) run without the lock, so a close from
 * another thread (session end, shutdown, ABOR) always gets through and interrupts them: the socket
 * of a connection being set up is known here from the moment it exists. The TLS handshake also has
 * a deadline of its own, since a peer that sends a byte now and then never trips a read timeout.
 */
final class SessionDataConnection implements ServerDataConnectionFactory {

  private static final Logger LOG = LoggerFactory.getLogger(SessionDataConnection.class);

  private final DataConnections shared;
  private final IoSession control;
  private final FtpServerContext context;

  private final Object lock = new Object();
  private PassiveListener listener;
  private long listenerDeadline;
  private ScheduledFuture<?> expiry;
  private boolean expired;
  private InetSocketAddress activeTarget;
  private Socket socket;

  /** The connection being set up (accepted or connected, not yet handed out), if any. */
  private Socket opening;

  private volatile boolean secure;
  private volatile boolean zip;

  SessionDataConnection(DataConnections shared, IoSession control, FtpServerContext context) {
    this.shared = shared;
    this.control = control;
    this.context = context;
  }

  @Override
  public InetSocketAddress initPassiveDataConnection() throws DataConnectionException {
    closeDataConnection();
    PassiveListener opened;
    try {
      opened = shared.ports.open(localAddress());
    } catch (IOException e) {
      throw new DataConnectionException(e.getMessage(), e);
    }
    long timeout = shared.acceptTimeout.toMillis();
    synchronized (lock) {
      listener = opened;
      listenerDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
      expiry = shared.timers.schedule(() -> expire(opened), timeout, TimeUnit.MILLISECONDS);
    }
    return opened.address();
  }

  @Override
  public void initActiveDataConnection(InetSocketAddress address) {
    closeDataConnection();
    synchronized (lock) {
      activeTarget = address;
    }
  }

  @Override
  public DataConnection openConnection() throws Exception {
    PassiveListener passive;
    InetSocketAddress active;
    long deadline;
    synchronized (lock) {
      passive = listener;
      active = activeTarget;
      deadline = listenerDeadline;
      if (passive == null && active == null) {
        throw new DataConnectionRefusedException(DataConnections.notPrepared(this));
      }
    }
    Socket raw = passive != null ? accept(passive, deadline) : connect(active);
    synchronized (lock) {
      if (passive != listener || active != activeTarget) {
        closeQuietly(raw);
        throw new DataConnectionRefusedException("Data connection closed while it was opened");
      }
      opening = raw;
    }
    Socket data = raw;
    try {
      if (secure) {
        shared.handshaking.incrementAndGet();
        try {
          data = handshake(raw);
        } finally {
          shared.handshaking.decrementAndGet();
        }
      }
      data.setSoTimeout(
          ftpSession().getListener().getDataConnectionConfiguration().getIdleTime() * 1000);
    } catch (IOException | RuntimeException e) {
      closeQuietly(raw);
      synchronized (lock) {
        if (opening == raw) {
          opening = null;
        }
      }
      throw e;
    }
    synchronized (lock) {
      if (opening != raw || passive != listener || active != activeTarget) {
        // Closed (session end, shutdown, ABOR, new PASV) while connecting: do not hand it out.
        closeQuietly(raw);
        throw new DataConnectionRefusedException("Data connection closed while it was opened");
      }
      if (expiry != null) {
        expiry.cancel(false);
      }
      listener = null;
      expiry = null;
      opening = null;
      socket = data;
    }
    return new IODataConnection(data, ftpSession(), this);
  }

  /**
   * The TLS handshake on {@code raw}, within the accept timeout: a read timeout alone would let a
   * peer that sends a byte now and then hold the transfer (and its slot) for ever.
   */
  private Socket handshake(Socket raw) throws IOException {
    if (shared.protection == null) {
      throw new DataConnectionRefusedException("TLS is not configured on this server");
    }
    long timeout = shared.acceptTimeout.toMillis();
    raw.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout));
    AtomicBoolean late = new AtomicBoolean();
    ScheduledFuture<?> deadline =
        shared.timers.schedule(
            () -> {
              late.set(true);
              closeQuietly(raw);
            },
            timeout,
            TimeUnit.MILLISECONDS);
    try {
      return shared.protection.protect(raw, control);
    } catch (IOException e) {
      if (late.get()) {
        throw new DataConnectionRefusedException(
            "The TLS handshake on the data connection did not finish within "
                + shared.acceptTimeout.toSeconds()
                + " s",
            e);
      }
      throw e;
    } finally {
      deadline.cancel(false);
    }
  }

  /** Takes the first connection to the passive port, which closes the port: one per PASV. */
  private Socket accept(PassiveListener passive, long deadline) throws IOException {
    Socket raw;
    try {
      raw = passive.accept(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    } catch (SocketTimeoutException e) {
      throw expiredRefusal(e);
    } catch (IOException e) {
      throw expired() ? expiredRefusal(e) : closedRefusal(e);
    } finally {
      passive.close();
    }
    InetAddress expected = peerAddress();
    if (!raw.getInetAddress().equals(expected)) {
      LOG.warn(
          "Refused a data connection from {} to the passive port of {} (control connection from"
              + " {}): someone else tried to take the transfer",
          raw.getInetAddress().getHostAddress(),
          user(),
          expected.getHostAddress());
      closeQuietly(raw);
      throw new DataConnectionRefusedException(
          "Data connection refused: it came from another address than this control connection");
    }
    return raw;
  }

  private Socket connect(InetSocketAddress target) throws IOException {
    Socket raw = new Socket();
    try {
      raw.bind(new InetSocketAddress(localAddress(), 0));
      raw.connect(target, (int) Math.min(Integer.MAX_VALUE, shared.acceptTimeout.toMillis()));
      return raw;
    } catch (IOException e) {
      closeQuietly(raw);
      throw new DataConnectionRefusedException(
          "Cannot connect to "
              + target.getAddress().getHostAddress()
              + " port "
              + target.getPort()
              + " for the data connection ("
              + e.getMessage()
              + "); check the client's firewall or use passive mode",
          e);
    }
  }

  private DataConnectionRefusedException expiredRefusal(IOException cause) {
    return new DataConnectionRefusedException(
        "No data connection arrived within "
            + shared.acceptTimeout.toSeconds()
            + " s of PASV/EPSV; check that firewalls pass the passive port range",
        cause);
  }

  private static DataConnectionRefusedException closedRefusal(IOException cause) {
    return new DataConnectionRefusedException("Data connection closed while it was opened", cause);
  }

  /** Whether the last passive port closed because no connection arrived in time. */
  boolean expired() {
    synchronized (lock) {
      return expired;
    }
  }

  long acceptTimeoutSeconds() {
    return shared.acceptTimeout.toSeconds();
  }

  private void expire(PassiveListener expiring) {
    synchronized (lock) {
      if (listener != expiring || socket != null || opening != null) {
        return;
      }
      listener = null;
      expiry = null;
      expired = true;
    }
    expiring.close();
    LOG.debug(
        "Passive port {} of {} closed: no connection within {} s",
        expiring.address().getPort(),
        user(),
        shared.acceptTimeout.toSeconds());
  }

  /**
   * Closes the listener and the data socket, if any. On a data socket still in use this is an
   * abort: the transfer's blocked read or write fails at once.
   */
  @Override
  public void closeDataConnection() {
    PassiveListener closingListener;
    ScheduledFuture<?> closingExpiry;
    Socket closingSocket;
    Socket closingOpening;
    synchronized (lock) {
      closingListener = listener;
      closingExpiry = expiry;
      closingSocket = socket;
      closingOpening = opening;
      listener = null;
      expiry = null;
      expired = false;
      activeTarget = null;
      socket = null;
      opening = null;
    }
    if (closingOpening != null) {
      // Fails a blocked TLS handshake on it at once.
      closeQuietly(closingOpening);
    }
    if (closingExpiry != null) {
      closingExpiry.cancel(false);
    }
    if (closingListener != null) {
      closingListener.close();
    }
    if (closingSocket != null) {
      abort(closingSocket);
    }
  }

  private static void abort(Socket socket) {
    if (socket instanceof Abortable abortable) {
      abortable.abort();
    } else {
      closeQuietly(socket);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Nothing left to release.
    }
  }

  @Override
  public void dispose() {
    closeDataConnection();
  }

  @Override
  public boolean isTimeout(long currentTime) {
    // The accept timeout closes listeners itself; MINA never asks.
    return false;
  }

  @Override
  public InetAddress getInetAddress() {
    synchronized (lock) {
      if (listener != null) {
        return listener.address().getAddress();
      }
      return activeTarget == null ? null : activeTarget.getAddress();
    }
  }

  @Override
  public int getPort() {
    synchronized (lock) {
      if (listener != null) {
        return listener.address().getPort();
      }
      return activeTarget == null ? 0 : activeTarget.getPort();
    }
  }

  @Override
  public void setServerControlAddress(InetAddress address) {
    // Listeners bind to the control connection's own local address, read from the session.
  }

  @Override
  public void setSecure(boolean secure) {
    this.secure = secure;
  }

  @Override
  public boolean isSecure() {
    return secure;
  }

  @Override
  public void setZipMode(boolean zip) {
    this.zip = zip;
  }

  @Override
  public boolean isZipMode() {
    return zip;
  }

  private FtpIoSession ftpSession() {
    return new FtpIoSession(control, context);
  }

  private InetAddress localAddress() {
    return ((InetSocketAddress) control.getLocalAddress()).getAddress();
  }

  private InetAddress peerAddress() {
    return ((InetSocketAddress) control.getRemoteAddress()).getAddress();
  }

  private String user() {
    FtpIoSession session = ftpSession();
    return session.getUser() == null ? "a client" : session.getUser().getName();
  }
}
