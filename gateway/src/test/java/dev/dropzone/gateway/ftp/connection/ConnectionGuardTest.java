package dev.dropzone.gateway.ftp.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConnectionGuardTest {

  private static final InetAddress A = address(10, 0, 0, 1);
  private static final InetAddress B = address(10, 0, 0, 2);

  /** A clock the test moves by hand, so ban expiry is tested without waiting. */
  private static final class ManualClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final ManualClock clock = new ManualClock();

  @Test
  void limitsConnectionsPerAddressAndInTotal() {
    ConnectionGuard guard = new ConnectionGuard(3, 2, 5, Duration.ofMinutes(1), clock);
    assertThat(guard.admit(A)).isEmpty();
    assertThat(guard.admit(A)).isEmpty();
    assertThat(guard.admit(A)).get().asString().contains("from your address (limit 2)");
    assertThat(guard.admit(B)).isEmpty();
    assertThat(guard.admit(B)).get().asString().contains("Too many connections to this server");
    guard.release(A);
    assertThat(guard.admit(B)).isEmpty();
  }

  @Test
  void bansAnAddressAfterRepeatedFailuresUntilTheBanExpires() {
    ConnectionGuard guard = new ConnectionGuard(10, 10, 3, Duration.ofMinutes(15), clock);
    assertThat(guard.loginFailed(A)).isFalse();
    assertThat(guard.loginFailed(A)).isFalse();
    assertThat(guard.loginFailed(A)).isTrue();
    assertThat(guard.admit(A)).get().asString().contains("Too many failed logins");
    assertThat(guard.admit(B)).isEmpty();

    clock.now = clock.now.plus(Duration.ofMinutes(15));
    assertThat(guard.admit(A)).isEmpty();
  }

  @Test
  void failuresFurtherApartThanTheBanDurationAreForgiven() {
    ConnectionGuard guard = new ConnectionGuard(10, 10, 2, Duration.ofMinutes(15), clock);
    assertThat(guard.loginFailed(A)).isFalse();
    clock.now = clock.now.plus(Duration.ofMinutes(16));
    assertThat(guard.loginFailed(A)).isFalse();
    assertThat(guard.loginFailed(A)).isTrue();
  }

  @Test
  void successfulLoginForgetsEarlierFailures() {
    ConnectionGuard guard = new ConnectionGuard(10, 10, 2, Duration.ofMinutes(15), clock);
    assertThat(guard.loginFailed(A)).isFalse();
    guard.loginSucceeded(A);
    assertThat(guard.loginFailed(A)).isFalse();
    assertThat(guard.admit(A)).isEmpty();
  }

  private static InetAddress address(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
