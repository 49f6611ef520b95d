package dev.dropzone.gateway.ftp.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.dropzone.gateway.ftp.connection.ClientNetworks;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.mina.core.filterchain.IoFilter.NextFilter;
import org.apache.mina.core.session.DummySession;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.filter.FilterEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who waits, and when, for a network over its refusal budget (the end-to-end case: {@code
 * RefusedCommandFloodTest}).
 */
class RefusalPaceTest {

  private static final RefusalPace.Pace PACE = new RefusalPace.Pace(10, 100);
  private static final SessionOrder ORDER = new SessionOrder(() -> Runnable::run);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Ticker ticker = now::get;
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final RefusalPace pace =
      new RefusalPace(PACE, ClientNetworks.DEFAULT, timers, ORDER, ticker);
  private final Recorder next = new Recorder();

  @AfterEach
  void stopTimers() {
    timers.shutdownNow();
  }

  @Test
  void onlyASessionWhoseLatestReplyWasARefusalWaitsWhileItsNetworkIsOverBudget() throws Exception {
    IoSession flooder = session("192.0.2.7", 40001);
    IoSession neighbour = session("192.0.2.7", 40002);
    IoSession refusedNeighbour = session("192.0.2.7", 40003);
    reply(neighbour, 200);
    reply(refusedNeighbour, 550);
    for (int i = 0; i < PACE.burst(); i++) {
      command(flooder, "FOO");
      reply(flooder, 502);
    }
    assertThat(next.received).hasSize(PACE.burst());

    command(flooder, "STAT");
    command(neighbour, "PWD");
    command(refusedNeighbour, "RETR a");
    assertThat(next.received)
        .as("the flooder waits (no transfer runs: STAT too), its neighbour at work does not")
        .endsWith("PWD")
        .doesNotContain("STAT", "RETR a")
        .hasSize(PACE.burst() + 1);

    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    await()
        .untilAsserted(
            () -> assertThat(next.received).contains("RETR a", "STAT").hasSize(PACE.burst() + 3));
  }

  @Test
  void whileATransferRunsAborAndStatDoNotWaitForTheBudget() throws Exception {
    IoSession uploader = session("192.0.2.11", 40001);
    new ControlQueue(ORDER).messageReceived(next, uploader, "STOR a");
    ControlQueue.transferStarted(uploader);
    for (int i = 0; i <= PACE.burst(); i++) {
      reply(uploader, 502);
    }
    command(uploader, "ABOR");
    command(uploader, "NOOP");
    command(uploader, "STAT");
    assertThat(next.received).containsExactly("STOR a", "ABOR");

    // Released by the budget, NOOP is refused far beyond it again; the STAT behind it goes on.
    next.then =
        line -> {
          for (int i = 0; i <= PACE.burst() * 2; i++) {
            reply(uploader, 502);
          }
        };
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    await().untilAsserted(() -> assertThat(next.received).endsWith("NOOP", "STAT"));
  }

  @Test
  void refusalsThatNeverWaitedRunUpNoDebtLongerThanABurstsTime() throws Exception {
    IoSession prober = session("192.0.2.12", 40001);
    IoSession refused = session("192.0.2.12", 40002);
    for (int i = 0; i < 100_000; i++) {
      reply(prober, 502);
    }
    reply(refused, 550);
    command(refused, "RETR a");
    assertThat(next.received).isEmpty();
    // Uncapped, 100,000 refusals at 100 a second would hold it for 1,000 s.
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1000L * PACE.burst() / PACE.perSecond() + 1));
    await().untilAsserted(() -> assertThat(next.received).containsExactly("RETR a"));
  }

  @Test
  void fourAndFiveHundredsCountDifferently() {
    IoSession busy = session("192.0.2.8", 40001);
    for (int i = 0; i < PACE.burst() * 3; i++) {
      reply(busy, i % 2 == 0 ? 450 : 426);
    }
    reply(busy, 550);
    command(busy, "NOOP");
    assertThat(next.received)
        .as("4xx are the server's or the network's: they spend no budget")
        .containsExactly("NOOP");
  }

  @Test
  void aTickerWhoseOriginIsFarBelowZeroStartsWithAFullBudget() throws Exception {
    now.set(-5_000_000_000_000_000_000L);
    IoSession client = session("192.0.2.13", 40001);
    reply(client, 550);
    command(client, "RETR a");
    assertThat(next.received).containsExactly("RETR a");
  }

  @Test
  void aRateOfZeroSlowsNoOneDown() throws Exception {
    RefusalPace off =
        new RefusalPace(
            new RefusalPace.Pace(1, 0),
            ClientNetworks.DEFAULT,
            timers,
            new SessionOrder(() -> Runnable::run),
            ticker);
    IoSession flooder = session("192.0.2.10", 40001);
    for (int i = 0; i < 1000; i++) {
      off.messageReceived(next, flooder, "FOO");
      off.filterWrite(next, flooder, new DefaultWriteRequest(new DefaultFtpReply(502, "x")));
    }
    assertThat(next.received).hasSize(1000);
  }

  @Test
  void aSessionThatSendsTooManyCommandsAheadWhileItWaitsIsClosed() {
    IoSession flooder = session("192.0.2.9", 40001);
    for (int i = 0; i <= PACE.burst(); i++) {
      reply(flooder, 502);
    }
    for (int i = 0; i < ControlQueue.MAX_WAITING; i++) {
      command(flooder, "FOO" + i);
    }
    assertThat(flooder.isClosing()).isFalse();
    command(flooder, "ONE TOO MANY");
    assertThat(flooder.isClosing()).isTrue();
    assertThat(next.received).isEmpty();
  }

  private IoSession session(String address, int port) {
    DummySession session = new DummySession();
    session.setRemoteAddress(new InetSocketAddress(address, port));
    return session;
  }

  private void command(IoSession session, String line) {
    try {
      pace.messageReceived(next, session, line);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void reply(IoSession session, int code) {
    try {
      pace.filterWrite(next, session, new DefaultWriteRequest(new DefaultFtpReply(code, "x")));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The next filter: records the commands that reach it. */
  private static final class Recorder implements NextFilter {

    final List<String> received = new CopyOnWriteArrayList<>();

    /** What the command does once it has arrived (answers it, say). */
    volatile Consumer<String> then = line -> {};

    @Override
    public void messageReceived(IoSession session, Object message) {
      received.add(message.toString());
      then.accept(message.toString());
    }

    @Override
    public void filterWrite(IoSession session, WriteRequest request) {}

    @Override
    public void sessionCreated(IoSession session) {}

    @Override
    public void sessionOpened(IoSession session) {}

    @Override
    public void sessionClosed(IoSession session) {}

    @Override
    public void sessionIdle(IoSession session, IdleStatus status) {}

    @Override
    public void exceptionCaught(IoSession session, Throwable cause) {}

    @Override
    public void inputClosed(IoSession session) {}

    @Override
    public void messageSent(IoSession session, WriteRequest request) {}

    @Override
    public void filterClose(IoSession session) {}

    @Override
    public void event(IoSession session, FilterEvent event) {}
  }
}
