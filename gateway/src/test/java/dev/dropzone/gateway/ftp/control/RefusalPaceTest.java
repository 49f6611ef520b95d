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

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Ticker ticker = now::get;
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final RefusalPace pace =
      new RefusalPace(
          PACE, ClientNetworks.DEFAULT, timers, new SessionOrder(() -> Runnable::run), ticker);
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

    command(flooder, "ABOR");
    command(flooder, "FOO1");
    command(flooder, "STAT");
    command(neighbour, "PWD");
    command(refusedNeighbour, "RETR a");
    // ABOR and STAT do not wait for the budget, only behind what waits already.
    assertThat(next.received)
        .as("the flooder's FOO1 waits, its neighbour at work does not")
        .endsWith("ABOR", "PWD")
        .doesNotContain("FOO1", "STAT", "RETR a")
        .hasSize(PACE.burst() + 2);

    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    await()
        .untilAsserted(
            () ->
                assertThat(next.received)
                    .contains("RETR a")
                    .containsSubsequence("ABOR", "FOO1", "STAT")
                    .hasSize(PACE.burst() + 5));
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
    for (int i = 0; i < RefusalPace.MAX_WAITING; i++) {
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

    @Override
    public void messageReceived(IoSession session, Object message) {
      received.add(message.toString());
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
