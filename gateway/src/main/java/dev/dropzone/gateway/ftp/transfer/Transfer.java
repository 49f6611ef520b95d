package dev.dropzone.gateway.ftp.transfer;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.ServerDataConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transfer (upload, download, listing) running on a transfer thread: what it moves, when bytes
 * last moved, and whether something cut it off. Anyone may {@link #cut} it (ABOR, the progress
 * watchdog, a shutdown); the transfer's own thread notices through failing I/O or {@link #cut()}
 * and answers the client.
 */
public final class Transfer {

  private static final Logger LOG = LoggerFactory.getLogger(Transfer.class);

  /** Why a transfer was cut off; the text ends up in the 426 reply. */
  public enum Cut {
    /** The client sent ABOR. */
    ABORTED_BY_CLIENT("aborted by the client (ABOR)"),
    /** No bytes moved for the data idle timeout. */
    STALLED("no data moved for too long"),
    /** The gateway is stopping and the grace period is over. */
    SHUTDOWN("server is shutting down");

    private final String text;

    Cut(String text) {
      this.text = text;
    }

    /** What the client and the log are told. */
    public String text() {
      return text;
    }
  }

  /** Whom the transfer thread is waiting for right now, for the log line of a stalled transfer. */
  public enum Party {
    CLIENT,
    STORAGE
  }

  private final FtpIoSession session;

  /**
   * Taken on the command thread: {@code FtpIoSession.getDataConnection()} needs the monitor of the
   * session wrapper the command runs with.
   */
  private final ServerDataConnectionFactory data;

  private final String user;
  private final String what;
  private final Executor canceller;
  private final AtomicReference<Cut> cut = new AtomicReference<>();
  private final long startedAt = System.nanoTime();
  private volatile long lastMoved = startedAt;
  private volatile long moved;
  private volatile long firstMovedAt;
  private volatile String file;
  private volatile long offset;
  private volatile byte[] digest;
  private volatile long dataEnded;
  private volatile boolean watched;
  private volatile Party waitingFor = Party.STORAGE;
  private volatile DataLink link;
  private volatile FutureTask<Void> storeCancel;
  private volatile FutureTask<Void> cancelling;
  private volatile FtpReply answer;
  private boolean finished;
  private boolean abortReplyOwed;

  Transfer(FtpIoSession session, String user, String what, Executor canceller) {
    this.session = session;
    this.data = session.getDataConnection();
    this.user = user;
    this.what = what;
    this.canceller = canceller;
  }

  /** The control session this transfer belongs to. */
  public FtpIoSession session() {
    return session;
  }

  /** The logged-in user, for log lines. */
  public String user() {
    return user;
  }

  /** What is moving, e.g. {@code upload of /reports/q3.pdf}. */
  public String what() {
    return what;
  }

  /** Why the transfer was cut off, or null while nobody did. */
  public Cut cut() {
    return cut.get();
  }

  /** Records the reply that ends this transfer, as its thread sends it. */
  public void answered(FtpReply reply) {
    answer = reply;
  }

  /** The reply that ended this transfer, or null before it answered. */
  public FtpReply answer() {
    return answer;
  }

  /** Bytes moved over the data connection so far. */
  public long moved() {
    return moved;
  }

  /** Counts {@code n} bytes that crossed the data connection (transfer thread only). */
  void moved(int n) {
    long now = System.nanoTime();
    if (moved == 0 && n > 0) {
      firstMovedAt = now;
    }
    moved += n;
    lastMoved = now;
  }

  /** Time since the transfer started (it was accepted, before storage or the data connection). */
  public Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startedAt);
  }

  /** Time from the start to the first byte on the data connection, or null while none moved. */
  public Duration firstByte() {
    long first = firstMovedAt;
    return first == 0 ? null : Duration.ofNanos(first - startedAt);
  }

  /**
   * Records which file moves from where, once the transfer knows (STOU picks its name, APPE reads
   * the existing size on the transfer thread).
   */
  public void file(String path, long startOffset) {
    file = path;
    offset = startOffset;
  }

  /** The file recorded by {@link #file(String, long)}, or null. */
  public String file() {
    return file;
  }

  /** The offset recorded by {@link #file(String, long)}. */
  public long offset() {
    return offset;
  }

  /** Records the SHA-256 of the stored file's plaintext, once an upload committed. */
  public void digest(byte[] sha256) {
    digest = sha256 == null ? null : sha256.clone();
  }

  /** The digest recorded by {@link #digest(byte[])}, or null. */
  public byte[] digest() {
    byte[] d = digest;
    return d == null ? null : d.clone();
  }

  /** The client ended the data (transfer thread only). */
  void dataEnded() {
    dataEnded = System.nanoTime();
  }

  /** When the client ended the data connection ({@link System#nanoTime()}), or 0 before. */
  public long dataEndedAt() {
    return dataEnded;
  }

  /** Marks whom the transfer thread waits for from now on. */
  void waitingFor(Party party) {
    waitingFor = party;
  }

  Party waitingFor() {
    return waitingFor;
  }

  /** Nanoseconds since bytes last moved, or 0 while no data connection is being watched. */
  long idleNanos(long now) {
    return watched ? now - lastMoved : 0;
  }

  /**
   * The open data connection; from now on the progress watchdog watches it. If the transfer was cut
   * off before it opened, it is severed at once.
   */
  void attach(DataLink opened) {
    lastMoved = System.nanoTime();
    link = opened;
    watched = true;
    if (cut.get() != null) {
      opened.sever();
    }
  }

  /** The data no longer moves (it ended, or failed): the watchdog stops watching. */
  void detach() {
    watched = false;
  }

  /**
   * What ends the store side when the transfer is cut off while its thread waits for storage (an
   * upload's abort, which may block while parts drain). It runs on another thread; {@link
   * #awaitCancelled} waits for it before the transfer replies.
   */
  public void onCut(Runnable cancel) {
    FutureTask<Void> task = new FutureTask<>(cancel, null);
    storeCancel = task;
    if (cut.get() != null) {
      startCancel(task);
    }
  }

  /**
   * Cuts the transfer off: severs its data connection and cancels its store side. The first reason
   * wins; later calls do nothing.
   *
   * @return true if this call cut it
   */
  public boolean cut(Cut reason) {
    if (!cut.compareAndSet(null, reason)) {
      return false;
    }
    DataLink open = link;
    if (open != null) {
      open.sever();
    } else {
      // Still opening (accept, connect, TLS handshake): the session's data connection closes
      // without waiting for that, and the opening fails.
      data.closeDataConnection();
    }
    FutureTask<Void> cancel = storeCancel;
    if (cancel != null) {
      startCancel(cancel);
    }
    return true;
  }

  /** Runs a store-side cancel once, whoever asks first. */
  private synchronized void startCancel(FutureTask<Void> cancel) {
    if (cancelling == null) {
      cancelling = cancel;
      canceller.execute(cancel);
    }
  }

  /**
   * Waits until a store-side cancel started by {@link #cut} has finished, so a client told "nothing
   * was stored" finds neither an object nor a pending upload.
   */
  public void awaitCancelled(Duration timeout) {
    FutureTask<Void> cancel = cancelling;
    if (cancel == null) {
      return;
    }
    try {
      cancel.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn(
          "{}: cancelling the {} on the storage side did not finish ({}); the upload sweeper"
              + " removes what is left",
          user,
          what,
          e.toString());
    }
  }

  /**
   * The upload is about to be made visible: from now on a cut no longer cancels the store side, so
   * an ABOR that arrives while the object is being completed cannot half-undo it.
   *
   * @return false when the transfer was cut off already (then it must not commit)
   */
  public boolean enterCommit() {
    // Cleared before the check: a cut that still sees the cancel has set its reason already.
    storeCancel = null;
    return cut.get() == null;
  }

  /**
   * ABOR: cuts the transfer off and leaves ABOR's own 226 to the transfer, which sends it after its
   * 426 (RFC 959 §4.1.3).
   *
   * @return false when the transfer has already answered; then ABOR must answer itself
   */
  public synchronized boolean abortByClient() {
    if (finished) {
      return false;
    }
    abortReplyOwed = true;
    cut(Cut.ABORTED_BY_CLIENT);
    return true;
  }

  /**
   * Called once the transfer's final reply went out.
   *
   * @return true when an ABOR waits for its reply
   */
  synchronized boolean finish() {
    finished = true;
    detach();
    return abortReplyOwed;
  }
}
