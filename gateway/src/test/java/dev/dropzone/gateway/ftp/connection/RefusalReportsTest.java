package dev.dropzone.gateway.ftp.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.LogCapture;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalReportsTest {

  private static final long START = Instant.parse("2026-12-06T10:00:00Z").toEpochMilli();
  private static final Duration MINUTE = Duration.ofMinutes(1);

  private final AtomicLong clock = new AtomicLong(START);
  private final List<FtpEvent> events = new ArrayList<>();
  private final RefusalReports reports =
      new RefusalReports(ClientNetworks.DEFAULT, MINUTE, clock::get, events::add);

  @Test
  void theFirstRefusalOfAnIntervalIsReportedAloneAndTheRestAsOneSummaryAtItsEnd() throws Exception {
    InetAddress client = InetAddress.getByName("192.0.2.7");
    assertThat(reports.alone(client, "address_limit")).isTrue();
    for (int i = 0; i < 999; i++) {
      clock.addAndGet(10);
      assertThat(reports.alone(client, "address_limit")).isFalse();
    }
    assertThat(reports.takeEnded()).as("the interval has not ended").isEmpty();

    clock.set(START + MINUTE.toMillis());
    try (LogCapture log = LogCapture.of(RefusalReports.class)) {
      reports.reportEnded();
      assertThat(log.lines())
          .singleElement()
          .asString()
          .startsWith(
              "WARN Refused 999 more connection(s) from 192.0.2.7 since 2026-12-06T10:00:00Z")
          .contains("address limit", "dropzone_ftp_connections_refused_total");
    }
    FtpEvent.RefusalsSummarized summary = (FtpEvent.RefusalsSummarized) events.get(0);
    assertThat(summary.count()).isEqualTo(999);
    assertThat(summary.reason()).isEqualTo("address_limit");
    assertThat(summary.client().address()).isEqualTo("192.0.2.7");
    assertThat(summary.client().session()).isNull();
    assertThat(summary.since()).isEqualTo(Instant.ofEpochMilli(START));

    assertThat(reports.alone(client, "address_limit"))
        .as("a new interval starts with a refusal reported alone")
        .isTrue();
    clock.addAndGet(MINUTE.toMillis());
    reports.reportEnded();
    assertThat(events).as("an interval with one refusal needs no summary").hasSize(1);
  }

  @Test
  void aRefusalAfterTheIntervalEndedStartsANewOneAndTheOldCountIsNotLost() throws Exception {
    InetAddress client = InetAddress.getByName("192.0.2.7");
    reports.alone(client, "banned");
    reports.alone(client, "banned");
    reports.alone(client, "banned");
    clock.addAndGet(MINUTE.toMillis() + 1);

    assertThat(reports.alone(client, "banned")).isTrue();
    assertThat(reports.takeEnded())
        .singleElement()
        .extracting(RefusalReports.Summary::count)
        .isEqualTo(2L);
  }

  @Test
  void aFailingListenerDoesNotEndThePeriodicReports() throws Exception {
    List<FtpEvent> written = new ArrayList<>();
    boolean[] fail = {true};
    RefusalReports flaky =
        new RefusalReports(
            ClientNetworks.DEFAULT,
            MINUTE,
            clock::get,
            event -> {
              if (fail[0]) {
                throw new IllegalStateException("audit log closed");
              }
              written.add(event);
            });
    InetAddress client = InetAddress.getByName("192.0.2.7");
    flaky.alone(client, "banned");
    flaky.alone(client, "banned");
    clock.addAndGet(MINUTE.toMillis());
    try (LogCapture log = LogCapture.of(RefusalReports.class)) {
      flaky.reportEnded();
      assertThat(log.lines()).anySatisfy(line -> assertThat(line).startsWith("ERROR Could not"));
    }

    fail[0] = false;
    flaky.alone(client, "banned");
    flaky.alone(client, "banned");
    clock.addAndGet(MINUTE.toMillis());
    flaky.reportEnded();
    assertThat(written).hasSize(1);
  }

  @Test
  void atShutdownEveryRefusalNotYetReportedIsSummarized() throws Exception {
    InetAddress client = InetAddress.getByName("192.0.2.7");
    reports.alone(client, "address_rate");
    reports.alone(client, "address_rate");
    reports.alone(client, "address_rate");
    clock.addAndGet(5_000);

    reports.reportAll();

    assertThat(events)
        .singleElement()
        .isInstanceOfSatisfying(
            FtpEvent.RefusalsSummarized.class, summary -> assertThat(summary.count()).isEqualTo(2));
    assertThat(reports.takeEnded()).isEmpty();
  }

  @Test
  void networksAndReasonsAreCountedApartAndAnIpv6NetworkAsOne() throws Exception {
    assertThat(reports.alone(InetAddress.getByName("192.0.2.7"), "banned")).isTrue();
    assertThat(reports.alone(InetAddress.getByName("192.0.2.8"), "banned")).isTrue();
    assertThat(reports.alone(InetAddress.getByName("192.0.2.7"), "address_limit")).isTrue();
    assertThat(reports.alone(InetAddress.getByName("2001:db8:1:2::7"), "banned")).isTrue();
    assertThat(reports.alone(InetAddress.getByName("2001:db8:1:2:ffff::1"), "banned"))
        .as("another address of the same /64")
        .isFalse();
    assertThat(reports.alone(InetAddress.getByName("2001:db8:1:3::7"), "banned")).isTrue();

    clock.addAndGet(MINUTE.toMillis());
    assertThat(reports.takeEnded())
        .singleElement()
        .satisfies(
            summary -> {
              assertThat(summary.network()).isEqualTo("2001:db8:1:2:0:0:0:0/64");
              assertThat(summary.count()).isEqualTo(1);
            });
  }

  @Test
  void refusalsFromMoreNetworksThanItTracksAreSummarizedTogether() throws Exception {
    for (int i = 0; i < RefusalReports.MAX_SOURCES; i++) {
      InetAddress client =
          InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
      assertThat(reports.alone(client, "banned")).isTrue();
    }
    InetAddress beyond = InetAddress.getByName("198.51.100.1");
    assertThat(reports.alone(beyond, "banned")).isTrue();
    assertThat(reports.alone(InetAddress.getByName("198.51.100.2"), "banned")).isFalse();
    assertThat(reports.alone(InetAddress.getByName("203.0.113.9"), "banned")).isFalse();

    clock.addAndGet(MINUTE.toMillis());
    assertThat(reports.takeEnded())
        .singleElement()
        .satisfies(
            summary -> {
              assertThat(summary.network()).isEqualTo(RefusalReports.OTHER_NETWORKS);
              assertThat(summary.count()).isEqualTo(2);
            });
    assertThat(reports.alone(beyond, "banned"))
        .as("the table is empty again once the intervals ended")
        .isTrue();
  }
}
