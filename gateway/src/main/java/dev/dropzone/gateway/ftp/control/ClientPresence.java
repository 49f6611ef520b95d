package dev.dropzone.gateway.ftp.control;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the client of an upload is still there at the moment the upload is about to be made
 * visible. A client process that dies mid-upload closes its data and control connections at the
 * same instant, and the end of the data then looks like a complete file; only the control
 * connection tells the two apart. Its close (or an ABOR sent before the data ended) may already
 * have arrived while MINA has not yet handled it, so this first waits until MINA has read
 * everything that arrived on the control connection and has run every command read so far, and only
 * then looks at whether the connection is still open.
 */
public final class ClientPresence {

  private static final Logger LOG = LoggerFactory.getLogger(ClientPresence.class);

  /** How long input may stay unread by MINA before the check gives up waiting for it. */
  private static final Duration INPUT_WAIT = Duration.ofSeconds(10);

  /** How long the session's command thread may take to reach the check's marker. */
  private static final Duration ORDER_WAIT = Duration.ofSeconds(2);

  /**
   * Rounds of "nothing unread, every command handled": the second covers input MINA had read but
   * was still passing on when the first round looked.
   */
  private static final int ROUNDS = 2;

  private static final Method CHANNEL = channelMethod();

  private final SessionOrder order;

  public ClientPresence(SessionOrder order) {
    this.order = order;
  }

  /**
   * @param session the control connection
   * @param since when the upload's data ended ({@link System#nanoTime()})
   * @param settle how long after {@code since} the control connection must still be open: a client
   *     that dies closes both connections within microseconds of each other, but the second close
   *     may reach the gateway a little after the first
   * @param wanted false once the transfer itself was called off (ABOR), checked in every round
   * @return true when the control connection is open and the transfer still wanted, once the settle
   *     time has passed and everything the client sent before has been handled
   */
  public boolean confirm(IoSession session, long since, Duration settle, BooleanSupplier wanted)
      throws InterruptedException {
    IoSession connection = ControlQueue.connection(session);
    try (Pending pending = Pending.of(connection)) {
      long settled = since + settle.toNanos();
      long deadline = Math.max(System.nanoTime(), settled) + INPUT_WAIT.toNanos();
      int quiet = 0;
      while (quiet < ROUNDS) {
        if (gone(connection) || !wanted.getAsBoolean()) {
          return false;
        }
        long now = System.nanoTime();
        if (now < settled) {
          // Wakes early when something arrives; then MINA has to read it first.
          pending.await(settled - now);
          continue;
        }
        if (pending.input() && now < deadline) {
          quiet = 0;
          Thread.sleep(1);
          continue;
        }
        awaitOrder(connection);
        quiet++;
      }
      return !gone(connection) && wanted.getAsBoolean();
    }
  }

  private static boolean gone(IoSession session) {
    return !session.isConnected() || session.isClosing();
  }

  /** Waits until the session's command thread has run everything queued before now. */
  private void awaitOrder(IoSession session) throws InterruptedException {
    CountDownLatch reached = new CountDownLatch(1);
    order.run(session, reached::countDown);
    if (!reached.await(ORDER_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn(
          "The command threads took over {} s to reach a check for {}; they are overloaded"
              + " (raise ftp.maxThreads if this repeats)",
          ORDER_WAIT.toSeconds(),
          session.getRemoteAddress());
    }
  }

  /** Whether bytes (or the end of the stream) sit in the kernel, not yet read by MINA. */
  private static final class Pending implements AutoCloseable {

    private final Selector selector;

    private Pending(Selector selector) {
      this.selector = selector;
    }

    static Pending of(IoSession session) {
      SocketChannel channel = channel(session);
      if (channel == null) {
        return new Pending(null);
      }
      Selector selector = null;
      try {
        selector = Selector.open();
        // A channel may be registered with several selectors; MINA keeps reading it through its
        // own, this one only asks whether something is waiting.
        channel.register(selector, SelectionKey.OP_READ);
        return new Pending(selector);
      } catch (IOException | RuntimeException e) {
        LOG.debug("Cannot watch the control connection's input: {}", e.toString());
        closeQuietly(selector);
        return new Pending(null);
      }
    }

    /** Waits up to {@code nanos} for input (returns at once while input is pending). */
    void await(long nanos) throws InterruptedException {
      if (selector == null) {
        Thread.sleep(Math.max(1, nanos / 1_000_000));
        return;
      }
      if (input()) {
        Thread.sleep(1);
        return;
      }
      try {
        selector.select(Math.max(1, nanos / 1_000_000));
      } catch (IOException | RuntimeException e) {
        Thread.sleep(1);
      } finally {
        selector.selectedKeys().clear();
      }
    }

    boolean input() {
      if (selector == null) {
        return false;
      }
      try {
        return selector.selectNow() > 0 || !selector.selectedKeys().isEmpty();
      } catch (IOException | RuntimeException e) {
        return false;
      } finally {
        selector.selectedKeys().clear();
      }
    }

    @Override
    public void close() {
      closeQuietly(selector);
    }

    private static void closeQuietly(Selector selector) {
      if (selector == null) {
        return;
      }
      try {
        selector.close();
      } catch (IOException e) {
        LOG.debug("Closing a selector failed: {}", e.toString());
      }
    }
  }

  private static SocketChannel channel(IoSession session) {
    if (CHANNEL == null || !(session instanceof NioSession)) {
      return null;
    }
    try {
      return CHANNEL.invoke(session) instanceof SocketChannel channel ? channel : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Method channelMethod() {
    try {
      Method method = NioSession.class.getDeclaredMethod("getChannel");
      method.setAccessible(true);
      return method;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "Cannot see unread input on control connections ({}): an upload whose client dies at"
              + " its very end may be stored; this MINA version is not the one Dropzone was built"
              + " with",
          e.toString());
      return null;
    }
  }
}
