package dev.dropzone.gateway.ftp.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.dropzone.gateway.ftp.connection.ClientNetworks;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows down a client whose commands keep being refused. Every refused command writes an audit line
 * and often a log line, and commands that fail at once (an unknown verb, RETR without PASV, a path
 * outside the home) come back in a tenth of a millisecond: one logged-in client could write
 * thousands of lines a second until the disk is full.
 *
 * <p>Each client network has a budget of refusals (5xx replies: the client's doing, where 4xx are
 * the server's or the network's): {@link Pace#burst} at once, then {@link Pace#perSecond}. While a
 * network is over budget, a command of one of its sessions whose latest reply was a refusal waits
 * until the budget allows one more, on a timer, not a thread; other sessions behind the same
 * address (a NAT, a network) and sessions at work are not held. A session that sends more than
 * {@link ControlQueue#MAX_WAITING} commands ahead while it waits is flooding and is disconnected.
 * While a transfer runs, ABOR and STAT never wait for the budget (only behind lines that wait
 * already): they are about that transfer, and an ABOR must reach an upload before it is stored.
 *
 * <p>Sits between the command decoder and the {@link ControlQueue}, on the session's ordered
 * thread, so commands keep their order.
 */
public final class RefusalPace extends IoFilterAdapter {

  /** Name in the session's filter chain. */
  public static final String NAME = "dropzoneRefusalPace";

  /** Networks tracked at once; beyond it the least recently seen are forgotten. */
  private static final long MAX_NETWORKS = 100_000;

  private static final long REPORT_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Where sessions without an IP address (none in practice) share one budget. */
  private static final InetAddress NO_ADDRESS = InetAddress.getLoopbackAddress();

  private static final Logger LOG = LoggerFactory.getLogger(RefusalPace.class);
  private static final String WAITING = "dropzone.refusalPace";
  private static final String REFUSED = "dropzone.lastReplyRefused";

  /**
   * The budget.
   *
   * @param burst refusals a network may get at once
   * @param perSecond refusals a second after that; 0 to never slow anyone down
   */
  public record Pace(int burst, int perSecond) {

    /**
     * Far above what clients at work get: lftp's {@code mirror -R} of 500 files gets one refusal
     * (its first SITE CHMOD), and a client that asks for the size of each new file first gets one
     * per file, at most as fast as files upload.
     */
    public static final Pace DEFAULT = new Pace(500, 100);

    public Pace {
      if (burst < 1 || perSecond < 0) {
        throw new IllegalArgumentException(
            "a refusal budget needs a burst of at least 1 and a rate of at least 0");
      }
    }

    boolean off() {
      return perSecond == 0;
    }
  }

  private final Pace pace;
  private final long intervalNanos;
  private final ClientNetworks networks;
  private final ScheduledExecutorService timers;
  private final SessionOrder order;
  private final Ticker ticker;
  private final Cache<InetAddress, Budget> budgets;

  public RefusalPace(
      Pace pace,
      ClientNetworks networks,
      ScheduledExecutorService timers,
      SessionOrder order,
      Ticker ticker) {
    this.pace = pace;
    this.intervalNanos = pace.off() ? 0 : TimeUnit.SECONDS.toNanos(1) / pace.perSecond();
    this.networks = networks;
    this.timers = timers;
    this.order = order;
    this.ticker = ticker;
    // A budget unused for its burst's time (and a second) is about full again: forgetting it then
    // at most forgives a little of a debt that refusals which never waited ran up.
    this.budgets =
        Caffeine.newBuilder()
            .maximumSize(MAX_NETWORKS)
            .expireAfterAccess(Duration.ofNanos(intervalNanos * pace.burst()).plusSeconds(1))
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  @Override
  public void messageReceived(NextFilter next, IoSession session, Object message) throws Exception {
    Waiting waiting = (Waiting) session.getAttribute(WAITING);
    if (waiting != null && waiting.hold(session, message)) {
      return;
    }
    long wait = delay(session);
    if (wait <= 0 || ControlQueue.aboutTheTransfer(session, message)) {
      next.messageReceived(session, message);
      return;
    }
    if (waiting == null) {
      waiting = new Waiting(next);
      session.setAttribute(WAITING, waiting);
    }
    waiting.start(session, message, wait);
  }

  @Override
  public void filterWrite(NextFilter next, IoSession session, WriteRequest request)
      throws Exception {
    if (request.getMessage() instanceof FtpReply reply) {
      boolean refused = reply.getCode() >= 500 && !pace.off();
      session.setAttribute(REFUSED, refused);
      if (refused) {
        budget(session).refused(ticker.read());
      }
    }
    next.filterWrite(session, request);
  }

  /** How long the next command of {@code session} must wait, in nanoseconds (0: none). */
  private long delay(IoSession session) {
    if (!Boolean.TRUE.equals(session.getAttribute(REFUSED))) {
      return 0;
    }
    InetAddress network = network(session);
    Budget budget = budgets.getIfPresent(network == null ? NO_ADDRESS : network);
    return budget == null ? 0 : budget.waitAt(ticker.read());
  }

  private InetAddress network(IoSession session) {
    return session.getRemoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
        ? networks.of(inet.getAddress())
        : null;
  }

  private Budget budget(IoSession session) {
    InetAddress network = network(session);
    if (network == null) {
      return budgets.get(NO_ADDRESS, a -> new Budget(null, ticker.read()));
    }
    InetAddress address = ((InetSocketAddress) session.getRemoteAddress()).getAddress();
    return budgets.get(network, a -> new Budget(networks.name(address), ticker.read()));
  }

  /**
   * One network's refusals, as a theoretical arrival time (GCRA): each refusal moves it one
   * interval on from now or from where it was; a command waits while it is more than the burst's
   * worth of intervals ahead.
   */
  private final class Budget {

    private final String name;
    private long due;
    private long reported;
    private boolean everReported;

    /** A full budget: due now (the ticker's origin is arbitrary, so never 0). */
    Budget(String name, long now) {
      this.name = name;
      this.due = now;
    }

    synchronized void refused(long now) {
      // Refusals that did not wait (other sessions, ABOR and STAT of a transfer) may not run up a
      // debt that would hold the network's next refused session for longer than a burst's time.
      due = Math.min(Math.max(due, now) + intervalNanos, now + 2 * intervalNanos * pace.burst());
    }

    synchronized long waitAt(long now) {
      long wait = due - intervalNanos * pace.burst() - now;
      if (wait > 0 && (!everReported || now - reported >= REPORT_NANOS)) {
        everReported = true;
        reported = now;
        LOG.info(
            "Slowing down the commands of {}: more than {} refused at once, then {} a second; each"
                + " further command waits its turn (logged once a minute). A client that keeps"
                + " sending commands that fail is misconfigured or probing",
            name == null ? "a client" : name,
            pace.burst(),
            pace.perSecond());
      }
      return wait;
    }
  }

  /** The commands of one session that wait for their network's budget, in order. */
  private final class Waiting {

    private final NextFilter next;
    private final Queue<Object> lines = new ArrayDeque<>();

    Waiting(NextFilter next) {
      this.next = next;
    }

    /** True when {@code message} went behind commands already waiting (or ended a flood). */
    synchronized boolean hold(IoSession session, Object message) {
      if (lines.isEmpty()) {
        return false;
      }
      if (lines.size() >= ControlQueue.MAX_WAITING) {
        ControlQueue.closeFlooding(session, "while being slowed down");
        return true;
      }
      lines.add(message);
      return true;
    }

    synchronized void start(IoSession session, Object message, long wait) {
      lines.add(message);
      schedule(session, wait);
    }

    private void schedule(IoSession session, long wait) {
      timers.schedule(() -> order.run(session, () -> drain(session)), wait, TimeUnit.NANOSECONDS);
    }

    /** Runs the waiting commands that the budget allows, on the session's ordered thread. */
    private void drain(IoSession session) {
      while (true) {
        Object line;
        synchronized (this) {
          if (session.isClosing()) {
            lines.clear();
            return;
          }
          if (lines.isEmpty()) {
            return;
          }
          long wait = ControlQueue.aboutTheTransfer(session, lines.peek()) ? 0 : delay(session);
          if (wait > 0) {
            schedule(session, wait);
            return;
          }
          line = lines.poll();
        }
        try {
          next.messageReceived(session, line);
        } catch (RuntimeException e) {
          LOG.error(
              "A slowed-down command of {} failed: {}",
              session.getRemoteAddress(),
              e.toString(),
              e);
        } catch (Error e) {
          FailureGuard.contain(session, e);
          synchronized (this) {
            lines.clear();
          }
          return;
        }
      }
    }
  }
}
