package dev.dropzone.gateway.ftp.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionRateTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final ConnectionRate rate = new ConnectionRate(60, ClientNetworks.DEFAULT, nanos::get);

  @Test
  void aMinutesWorthPassesAtOnceThenTheRateHoldsEvenly() throws Exception {
    InetAddress client = InetAddress.getByName("192.0.2.7");
    for (int i = 0; i < 60; i++) {
      assertThat(rate.take(client)).as("connection %d of the burst", i + 1).isTrue();
    }
    assertThat(rate.take(client)).isFalse();
    assertThat(rate.take(client))
        .as("a refused attempt costs nothing, but gains nothing")
        .isFalse();

    advance(Duration.ofMillis(999));
    assertThat(rate.take(client)).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(rate.take(client)).as("one a second at 60 a minute").isTrue();
    assertThat(rate.take(client)).isFalse();

    advance(Duration.ofMinutes(5));
    for (int i = 0; i < 60; i++) {
      assertThat(rate.take(client)).isTrue();
    }
    assertThat(rate.take(client))
        .as("an idle client saves up one minute's worth, no more")
        .isFalse();
  }

  @Test
  void addressesCountApartAndAnIpv6NetworkAsOne() throws Exception {
    exhaust(InetAddress.getByName("2001:db8:1:2::7"));
    assertThat(rate.take(InetAddress.getByName("2001:db8:1:2:ffff::1")))
        .as("another address of the same /64")
        .isFalse();
    assertThat(rate.take(InetAddress.getByName("2001:db8:1:3::7"))).isTrue();
    assertThat(rate.take(InetAddress.getByName("192.0.2.8"))).isTrue();
    assertThat(rate.refusal(InetAddress.getByName("2001:db8:1:2::7")))
        .isEqualTo(
            "Too many new connections from your network (/64) (limit 60 a minute), try again in a"
                + " few seconds");
  }

  @Test
  void zeroMeansNoLimitAndANegativeRateIsRefused() throws Exception {
    ConnectionRate off = new ConnectionRate(0, ClientNetworks.DEFAULT, nanos::get);
    InetAddress client = InetAddress.getByName("192.0.2.7");
    for (int i = 0; i < 10_000; i++) {
      assertThat(off.take(client)).isTrue();
    }
    assertThatThrownBy(() -> new ConnectionRate(-1, ClientNetworks.DEFAULT, nanos::get))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void exhaust(InetAddress client) {
    for (int i = 0; i < 60; i++) {
      assertThat(rate.take(client)).isTrue();
    }
    assertThat(rate.take(client)).isFalse();
  }

  private void advance(Duration by) {
    nanos.addAndGet(by.toNanos());
  }
}
