package dev.dropzone.gateway.ftp.control;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a control connection's commands in order while one of its transfers runs on a transfer
 * thread. Transfers no longer hold the session's command thread, so commands that arrive meanwhile
 * would otherwise run beside the transfer: here they wait behind it and run, in order, once it has
 * answered, as a server running the transfer in line would do. ABOR and STAT alone go through at
 * once, because they are about the running transfer (RFC 959 §4.1.3).
 *
 * <p>Sits right after the command decoder, so it sees whole command lines on the session's ordered
 * executor thread.
 */
public final class ControlQueue extends IoFilterAdapter {

  /** Name in the session's filter chain. */
  public static final String NAME = "dropzoneControlQueue";

  /** Commands a client may pipeline behind a transfer; more looks like a flood. */
  static final int MAX_WAITING = 32;

  private static final Logger LOG = LoggerFactory.getLogger(ControlQueue.class);
  private static final String STATE = "dropzone.controlQueue";
  private static final Set<String> DURING_TRANSFER = Set.of("ABOR", "STAT");

  private final SessionOrder order;

  public ControlQueue(SessionOrder order) {
    this.order = order;
  }

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    State state = (State) session.getAttribute(STATE);
    if (state == null) {
      state = new State(next, session);
      State raced = (State) session.setAttributeIfAbsent(STATE, state);
      state = raced == null ? state : raced;
    }
    if (state.admit(message)) {
      next.messageReceived(session, message);
    }
  }

  @Override
  public void sessionClosed(NextFilter next, IoSession session) throws Exception {
    if (session.getAttribute(STATE) instanceof State state) {
      state.forget();
    }
    next.sessionClosed(session);
  }

  /**
   * Writes a reply that may end a transfer. From the moment it is written no command reaches the
   * transfer any more (ABOR and STAT wait for it to end like any other): a client that sends one
   * right after the final reply would otherwise find the transfer still registered.
   */
  public static WriteFuture answer(IoSession session, Object reply) {
    if (connection(session).getAttribute(STATE) instanceof State state) {
      return state.answer(() -> session.write(reply));
    }
    return session.write(reply);
  }

  /** A transfer of {@code session} started: commands wait behind it from now on. */
  public static void transferStarted(IoSession session) {
    transferStarted(session, true);
  }

  /**
   * A transfer of {@code session} started: commands wait behind it from now on.
   *
   * @param reachable whether ABOR and STAT reach it; not for one that answers on the control
   *     connection itself (STAT of a directory), between whose reply lines nothing may come
   */
  public static void transferStarted(IoSession session, boolean reachable) {
    if (session.getAttribute(STATE) instanceof State state) {
      state.transferStarted(reachable);
    }
  }

  /** Whether a transfer of {@code session} runs and has not answered yet. */
  static boolean transferring(IoSession session) {
    return connection(session).getAttribute(STATE) instanceof State state && state.transferring();
  }

  /**
   * Whether {@code message} is about the transfer of {@code session} that is running now: ABOR and
   * STAT, which reach it at once (RFC 959 §4.1.3).
   */
  static boolean aboutTheTransfer(IoSession session, Object message) {
    return transferring(session) && DURING_TRANSFER.contains(verb(message));
  }

  /**
   * Ends a control connection whose client sent more commands ahead than a server that answers in
   * order has to keep ({@code during}: when it sent them).
   */
  static void closeFlooding(IoSession session, String during) {
    if (session.isClosing()) {
      return;
    }
    LOG.info(
        "Closing the control connection of {}: more than {} commands sent {}",
        session.getRemoteAddress(),
        MAX_WAITING,
        during);
    session.write(
        new DefaultFtpReply(421, "Too many commands sent " + during + "; closing the connection"));
    session.closeOnFlush();
  }

  /** The transfer of {@code session} answered: the commands that waited now run, in order. */
  public static void transferEnded(IoSession session) {
    if (session.getAttribute(STATE) instanceof State state) {
      state.transferEnded();
    }
  }

  /**
   * A command of {@code session} is answered later, off the command thread (a password check):
   * commands the client sent with it wait until {@link #release}, ABOR and STAT too, so that every
   * reply comes in the order of the commands.
   */
  public static void hold(IoSession session) {
    if (connection(session).getAttribute(STATE) instanceof State state) {
      state.hold();
    }
  }

  /** The command {@link #hold} waited for has been answered: the commands behind it run. */
  public static void release(IoSession session) {
    transferEnded(connection(session));
  }

  /**
   * The connection's own MINA session behind {@code session}, which may be a wrapper (MINA's FTP
   * layer wraps it anew for every event); {@code session} itself before the first command.
   */
  public static IoSession connection(IoSession session) {
    return session.getAttribute(STATE) instanceof State state ? state.session : session;
  }

  /** The command verb of a line, upper case. */
  static String verb(Object message) {
    String line = message.toString().stripLeading();
    int end = line.indexOf(' ');
    return (end < 0 ? line : line.substring(0, end)).toUpperCase(Locale.ROOT);
  }

  /** One session's queue. */
  private final class State {

    private final NextFilter next;
    private final IoSession session;
    private final Queue<Object> waiting = new ArrayDeque<>();

    /** A transfer started and has not ended: commands wait. */
    private boolean holding;

    /** ... and has not answered yet: ABOR and STAT reach it. */
    private boolean transferring;

    private boolean draining;

    State(NextFilter next, IoSession session) {
      this.next = next;
      this.session = session;
    }

    /** True when {@code message} runs now; false when it waits (or was refused). */
    synchronized boolean admit(Object message) {
      if (!holding && !draining && waiting.isEmpty()) {
        return true;
      }
      if (transferring && DURING_TRANSFER.contains(verb(message))) {
        return true;
      }
      if (waiting.size() >= MAX_WAITING) {
        closeFlooding(session, "during a transfer");
        return false;
      }
      waiting.add(message);
      return false;
    }

    synchronized boolean transferring() {
      return transferring;
    }

    synchronized void transferStarted(boolean reachable) {
      holding = true;
      transferring = reachable;
    }

    synchronized void hold() {
      holding = true;
    }

    synchronized WriteFuture answer(Supplier<WriteFuture> write) {
      WriteFuture written = write.get();
      transferring = false;
      return written;
    }

    synchronized void transferEnded() {
      holding = false;
      transferring = false;
      if (!waiting.isEmpty() && !draining) {
        draining = true;
        order.run(session, this::drain);
      }
    }

    synchronized void forget() {
      waiting.clear();
    }

    /** Runs the waiting commands in the session's order, until one starts another transfer. */
    private void drain() {
      while (true) {
        Object message;
        synchronized (this) {
          message = holding ? null : waiting.poll();
          if (message == null) {
            draining = false;
            return;
          }
        }
        try {
          next.messageReceived(session, message);
        } catch (RuntimeException e) {
          LOG.error(
              "A queued command of {} failed: {}", session.getRemoteAddress(), e.toString(), e);
        } catch (Error e) {
          FailureGuard.contain(session, e);
          synchronized (this) {
            draining = false;
            waiting.clear();
          }
          return;
        }
      }
    }
  }
}
