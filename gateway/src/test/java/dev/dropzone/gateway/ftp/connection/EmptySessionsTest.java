package dev.dropzone.gateway.ftp.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.ftp.events.FtpEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EmptySessionsTest {

  private static final long START = Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();
  private static final Duration MINUTE = Duration.ofMinutes(1);

  private final AtomicLong clock = new AtomicLong(START);
  private final List<FtpEvent> events = new ArrayList<>();
  private final EmptySessions empty =
      new EmptySessions(this::record, ClientNetworks.DEFAULT, MINUTE, clock::get);
  private int sessions;

  private synchronized void record(FtpEvent event) {
    events.add(event);
  }

  @Test
  void theFirstEmptySessionOfAnIntervalIsReportedWholeAndTheRestAsOneSummary() {
    FtpEvent.Client first = openAndClose("192.0.2.7");
    for (int i = 0; i < 499; i++) {
      clock.addAndGet(10);
      openAndClose("192.0.2.7");
    }
    assertThat(events)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("SessionOpened", "SessionClosed");
    assertThat(events).allMatch(e -> e.client().equals(first));

    clock.set(START + MINUTE.toMillis());
    empty.reports().reportEnded();
    FtpEvent.EmptySessionsSummarized summary = (FtpEvent.EmptySessionsSummarized) events.get(2);
    assertThat(summary.count()).isEqualTo(499);
    assertThat(summary.client().address()).isEqualTo("192.0.2.7");
    assertThat(summary.client().session()).isNull();
    assertThat(summary.since()).isEqualTo(Instant.ofEpochMilli(START));
  }

  @Test
  void eachNetworkHasItsOwnFirstAndTheStopReportsWhatIsCounted() {
    openAndClose("192.0.2.7");
    openAndClose("192.0.2.7");
    openAndClose("2001:db8:1:2::5");
    openAndClose("2001:db8:1:2::6");
    openAndClose("198.51.100.1");

    assertThat(events).hasSize(6);
    empty.reports().reportAll();
    assertThat(events.subList(6, events.size()))
        .extracting(
            e -> e.client().address() + " " + ((FtpEvent.EmptySessionsSummarized) e).count())
        .containsExactlyInAnyOrder("192.0.2.7 1", "2001:db8:1:2:0:0:0:0/64 1");
  }

  @Test
  void aSessionWhereSomethingHappensIsReportedWholeWithItsOpenFirst() {
    openAndClose("192.0.2.7");
    FtpEvent.Client client = client("192.0.2.7");
    empty.on(new FtpEvent.SessionOpened(Instant.ofEpochMilli(START), client));
    assertThat(events).hasSize(2);

    FtpEvent.Login login =
        new FtpEvent.Login(
            Instant.ofEpochMilli(START + 5), client, FtpEvent.LoginOutcome.FAILED, "x");
    empty.on(login);
    FtpEvent.Refused refused =
        new FtpEvent.Refused(
            Instant.ofEpochMilli(START + 6),
            client,
            "RETR",
            "/a",
            new FtpEvent.Answer(530, "Please log in", null));
    empty.on(refused);
    empty.on(new FtpEvent.SessionClosed(Instant.ofEpochMilli(START + 7), client, Duration.ZERO));

    assertThat(events.subList(2, events.size()))
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("SessionOpened", "Login", "Refused", "SessionClosed");
    empty.reports().reportAll();
    assertThat(events).as("nothing was counted").hasSize(6);
  }

  @Test
  void aSessionShedToMakeRoomDidNothingItselfAndIsCountedAsEmpty() {
    openAndClose("192.0.2.7");
    FtpEvent.Client client = client("192.0.2.7");
    empty.on(new FtpEvent.SessionOpened(Instant.ofEpochMilli(START), client));
    FtpEvent.ConnectionRefused shed =
        new FtpEvent.ConnectionRefused(Instant.ofEpochMilli(START), client, "idle_shed", false);
    empty.on(shed);
    empty.on(new FtpEvent.SessionClosed(Instant.ofEpochMilli(START), client, Duration.ZERO));

    assertThat(events.subList(2, events.size())).containsExactly(shed);
    empty.reports().reportAll();
    assertThat(((FtpEvent.EmptySessionsSummarized) events.get(3)).count()).isEqualTo(1);
  }

  @Test
  void aShedSessionWhoseRefusalIsWrittenComesWithItsOpenFirst() {
    FtpEvent.Client client = client("192.0.2.7");
    FtpEvent.SessionOpened opened = new FtpEvent.SessionOpened(Instant.ofEpochMilli(START), client);
    FtpEvent.ConnectionRefused shed =
        new FtpEvent.ConnectionRefused(Instant.ofEpochMilli(START), client, "idle_shed", true);
    FtpEvent.SessionClosed closed =
        new FtpEvent.SessionClosed(Instant.ofEpochMilli(START), client, Duration.ZERO);
    empty.on(opened);
    empty.on(shed);
    empty.on(closed);
    assertThat(events).containsExactly(opened, shed, closed);
  }

  @Test
  void anEventThatComesAfterAnEmptySessionClosedBringsItsLinesBack() {
    openAndClose("192.0.2.7");
    FtpEvent.Client client = client("192.0.2.7");
    FtpEvent.SessionOpened opened = new FtpEvent.SessionOpened(Instant.ofEpochMilli(START), client);
    FtpEvent.SessionClosed closed =
        new FtpEvent.SessionClosed(Instant.ofEpochMilli(START + 1), client, Duration.ZERO);
    empty.on(opened);
    empty.on(closed);
    assertThat(events).hasSize(2);

    // A password check that was answered after its client had gone.
    FtpEvent.Login login =
        new FtpEvent.Login(
            Instant.ofEpochMilli(START + 2), client, FtpEvent.LoginOutcome.FAILED, "x");
    empty.on(login);
    assertThat(events.subList(2, events.size())).containsExactly(opened, login, closed);
  }

  @Test
  void theStopWaitsForTheSessionsStillOpen() throws Exception {
    FtpEvent.Client client = client("192.0.2.7");
    empty.on(new FtpEvent.SessionOpened(Instant.ofEpochMilli(START), client));
    Thread closer =
        new Thread(
            () -> {
              sleep(200);
              empty.on(
                  new FtpEvent.SessionClosed(Instant.ofEpochMilli(START), client, Duration.ZERO));
            });
    closer.start();
    empty.awaitClosed(Duration.ofSeconds(10));
    assertThat(events).extracting(e -> e.getClass().getSimpleName()).contains("SessionClosed");
    closer.join();
  }

  @Test
  void eventsOfNoSessionPassAndAnAddressThatIsNoLiteralIsNeverLookedUp() {
    FtpEvent.RefusalsSummarized refusals =
        new FtpEvent.RefusalsSummarized(
            Instant.ofEpochMilli(START),
            new FtpEvent.Client(null, "192.0.2.7", null, null),
            "banned",
            3,
            Instant.ofEpochMilli(START));
    empty.on(refusals);
    assertThat(events).containsExactly(refusals);

    openAndClose("localhost");
    openAndClose("localhost");
    assertThat(events).as("reported whole, never counted under a name").hasSize(5);
  }

  @Test
  void aCloseRacingWithTheSessionsLastEventNeverGoesOutBeforeItsOpen() throws Exception {
    for (int round = 0; round < 200; round++) {
      events.clear();
      openAndClose("192.0.2.9");
      FtpEvent.Client client = client("192.0.2.9");
      empty.on(new FtpEvent.SessionOpened(Instant.ofEpochMilli(START), client));
      CountDownLatch go = new CountDownLatch(1);
      Thread login =
          new Thread(
              () -> {
                await(go);
                empty.on(
                    new FtpEvent.Login(
                        Instant.ofEpochMilli(START), client, FtpEvent.LoginOutcome.FAILED, "x"));
              });
      login.start();
      go.countDown();
      empty.on(new FtpEvent.SessionClosed(Instant.ofEpochMilli(START), client, Duration.ZERO));
      login.join();

      List<String> order =
          events.stream()
              .filter(e -> e.client().equals(client))
              .map(e -> e.getClass().getSimpleName())
              .toList();
      // Closed first, the session was empty and counted; otherwise both go out, in order.
      if (order.contains("SessionClosed")) {
        assertThat(order.indexOf("SessionOpened"))
            .as("round %d: %s", round, order)
            .isGreaterThanOrEqualTo(0)
            .isLessThan(order.indexOf("SessionClosed"));
      } else {
        assertThat(order).as("round %d", round).containsExactly("Login");
      }
    }
  }

  private FtpEvent.Client openAndClose(String address) {
    FtpEvent.Client client = client(address);
    empty.on(new FtpEvent.SessionOpened(Instant.ofEpochMilli(clock.get()), client));
    empty.on(new FtpEvent.SessionClosed(Instant.ofEpochMilli(clock.get()), client, Duration.ZERO));
    return client;
  }

  private FtpEvent.Client client(String address) {
    return new FtpEvent.Client("session-" + ++sessions, address, null, null);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
