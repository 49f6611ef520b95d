package dev.dropzone.gateway.ftp.command;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.ServerDataConnectionFactory;

/**
 * The transfers running right now, so that a shutdown can wait for them and then abort the rest.
 * Aborting closes the transfer's data connection: the transfer's own thread then fails, aborts its
 * upload (no object, no pending multipart upload) and replies 426.
 */
public final class TransferRegistry {

  /** One running transfer. */
  public static final class Running {
    private final FtpIoSession session;

    /**
     * Taken on the transfer's own thread: MINA runs a command holding the session's monitor, and
     * {@code FtpIoSession.getDataConnection()} needs that monitor, so another thread asking the
     * session for it would wait until the transfer ended by itself.
     */
    private final ServerDataConnectionFactory data;

    private volatile boolean aborted;

    private Running(FtpIoSession session) {
      this.session = session;
      this.data = session.getDataConnection();
    }

    /** True when the server cut this transfer off (shutdown), not the client. */
    public boolean aborted() {
      return aborted;
    }
  }

  /**
   * Set on the control session while it transfers. MINA measures idleness on the control connection
   * only, which is silent during a transfer: without this mark a long upload would have its control
   * connection closed as idle (and so be aborted).
   */
  public static final String TRANSFERRING = "dropzone.transferring";

  private final Set<Running> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  /** Registers a transfer; refused with ABORTED once the server is shutting down. */
  Running begin(FtpIoSession session) throws StoreException {
    Running transfer = new Running(session);
    running.add(transfer);
    session.setAttribute(TRANSFERRING, Boolean.TRUE);
    if (closing) {
      end(transfer);
      throw new StoreException(Reason.ABORTED, "server is shutting down");
    }
    return transfer;
  }

  void end(Running transfer) {
    transfer.session.removeAttribute(TRANSFERRING);
    running.remove(transfer);
    synchronized (this) {
      notifyAll();
    }
  }

  /** From now on new transfers are refused. */
  public void stopAccepting() {
    closing = true;
  }

  public int count() {
    return running.size();
  }

  /**
   * Waits until no transfer runs.
   *
   * @return false if some were still running after {@code timeout}
   */
  public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!running.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** Cuts every running transfer off; returns how many there were. */
  public int abortAll() {
    int n = 0;
    for (Running transfer : running) {
      transfer.aborted = true;
      transfer.data.closeDataConnection();
      n++;
    }
    return n;
  }
}
