package dev.dropzone.gateway.ftp.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.ftp.connection.ClientNetworks;
import dev.dropzone.gateway.ftp.login.LoginThrottle.Verdict;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Bans, name pauses and the bounds of the tables, on a clock the test moves by hand. */
class LoginThrottleTest {

  private static final InetAddress A = address(1);
  private static final InetAddress B = address(2);
  private static final Duration WINDOW = Duration.ofMinutes(15);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private LoginThrottle throttle(int perAddress, int perName) {
    return new LoginThrottle(new LoginThrottle.Settings(perAddress, perName, WINDOW), nanos::get);
  }

  private void pass(Duration time) {
    nanos.addAndGet(time.toNanos());
  }

  @Test
  void bansAnAddressAfterRepeatedFailuresUntilTheBanExpires() {
    LoginThrottle throttle = throttle(3, 100);
    assertThat(throttle.failed(A, "alice", true)).isFalse();
    assertThat(throttle.failed(A, "bob", true)).isFalse();
    assertThat(throttle.failed(A, "carol", true)).isTrue();
    assertThat(throttle.banned(A)).isTrue();
    assertThat(throttle.verdict(A, "dave")).isEqualTo(Verdict.ADDRESS_BANNED);
    assertThat(throttle.banned(B)).isFalse();

    pass(WINDOW.minusSeconds(1));
    assertThat(throttle.banned(A)).isTrue();
    pass(Duration.ofSeconds(1));
    assertThat(throttle.banned(A)).isFalse();
    assertThat(throttle.failed(A, "alice", true)).as("counting starts again").isFalse();
  }

  @Test
  void aBanCoversTheWholeIpv6NetworkOfTheAddressesThatFailed() throws Exception {
    LoginThrottle throttle = throttle(3, 100);
    assertThat(throttle.failed(InetAddress.getByName("2001:db8:9:1::a"), "alice", true)).isFalse();
    assertThat(throttle.failed(InetAddress.getByName("2001:db8:9:1::b"), "bob", true)).isFalse();
    assertThat(throttle.failed(InetAddress.getByName("2001:db8:9:1:1:2:3:4"), "carol", true))
        .as("three addresses of one /64 fail once each")
        .isTrue();
    assertThat(throttle.banned(InetAddress.getByName("2001:db8:9:1:ffff::99")))
        .as("the next address of that network")
        .isTrue();
    assertThat(throttle.verdict(InetAddress.getByName("2001:db8:9:1::c"), "dave"))
        .isEqualTo(Verdict.ADDRESS_BANNED);
    assertThat(throttle.banned(InetAddress.getByName("2001:db8:9:2::a"))).isFalse();

    LoginThrottle perAddress =
        new LoginThrottle(
            new LoginThrottle.Settings(3, 100, WINDOW, new ClientNetworks(128)), nanos::get);
    for (int i = 1; i <= 5; i++) {
      assertThat(perAddress.failed(InetAddress.getByName("2001:db8:9:1::" + i), "alice", true))
          .isFalse();
    }
  }

  @Test
  void aKnownLoginFromAnIpv6NetworkExemptsItsOtherAddressesFromANamesPause() throws Exception {
    LoginThrottle throttle = throttle(100, 2);
    throttle.succeeded(InetAddress.getByName("2001:db8:9:1::a"), "alice");
    throttle.failed(B, "alice", true);
    throttle.failed(B, "alice", true);
    assertThat(throttle.verdict(B, "alice")).isEqualTo(Verdict.NAME_PAUSED);
    assertThat(throttle.verdict(InetAddress.getByName("2001:db8:9:1::b"), "alice"))
        .as("the user's client moved to a new privacy address")
        .isEqualTo(Verdict.CHECK);
    assertThat(throttle.networks().of(InetAddress.getByName("2001:db8:9:1::b")))
        .isEqualTo(InetAddress.getByName("2001:db8:9:1::"));
  }

  @Test
  void failuresFurtherApartThanTheBanDurationAreForgiven() {
    LoginThrottle throttle = throttle(2, 100);
    assertThat(throttle.failed(A, "alice", true)).isFalse();
    pass(WINDOW.plusSeconds(1));
    assertThat(throttle.failed(A, "alice", true)).isFalse();
    assertThat(throttle.failed(A, "alice", true)).isTrue();
  }

  @Test
  void aSuccessfulLoginForgetsOnlyThatNamesFailuresFromTheAddress() {
    LoginThrottle throttle = throttle(3, 100);
    throttle.failed(A, "alice", true);
    throttle.failed(A, "bob", true);
    throttle.succeeded(A, "alice");
    assertThat(throttle.failed(A, "carol", true))
        .as("bob's failure still counts, alice's is forgiven")
        .isFalse();
    assertThat(throttle.failed(A, "dave", true))
        .as("a valid login does not reset the whole address")
        .isTrue();
  }

  @Test
  void aNameThatFailsFromManyAddressesPausesForLongerEachTime() {
    LoginThrottle throttle = throttle(100, 3);
    for (int i = 10; i < 13; i++) {
      assertThat(throttle.verdict(address(i), "alice")).isEqualTo(Verdict.CHECK);
      throttle.failed(address(i), "alice", true);
    }
    assertThat(throttle.verdict(address(20), "alice")).isEqualTo(Verdict.NAME_PAUSED);
    assertThat(throttle.verdict(address(20), "ALICE"))
        .as("directories compare names without case")
        .isEqualTo(Verdict.NAME_PAUSED);
    assertThat(throttle.verdict(address(20), "bob")).isEqualTo(Verdict.CHECK);

    pass(LoginThrottle.FIRST_PAUSE);
    assertThat(throttle.verdict(address(20), "alice")).isEqualTo(Verdict.CHECK);
    throttle.failed(address(20), "alice", true);
    pass(LoginThrottle.FIRST_PAUSE);
    assertThat(throttle.verdict(address(21), "alice")).isEqualTo(Verdict.NAME_PAUSED);
    pass(LoginThrottle.FIRST_PAUSE);
    assertThat(throttle.verdict(address(21), "alice")).isEqualTo(Verdict.CHECK);

    for (int i = 0; i < 40; i++) {
      throttle.failed(address(21), "alice", true);
    }
    pass(WINDOW.minusSeconds(1));
    assertThat(throttle.verdict(address(22), "alice")).isEqualTo(Verdict.NAME_PAUSED);
    pass(Duration.ofSeconds(1));
    assertThat(throttle.verdict(address(22), "alice"))
        .as("the pause never exceeds the ban duration")
        .isEqualTo(Verdict.CHECK);
  }

  @Test
  void attemptsRefusedUncheckedCountForTheAddressButDoNotLengthenThePause() {
    LoginThrottle throttle = throttle(3, 1);
    throttle.failed(B, "alice", true);
    assertThat(throttle.verdict(A, "alice")).isEqualTo(Verdict.NAME_PAUSED);
    assertThat(throttle.failed(A, "alice", false)).isFalse();
    assertThat(throttle.failed(A, "alice", false)).isFalse();
    pass(LoginThrottle.FIRST_PAUSE);
    assertThat(throttle.verdict(A, "alice")).isEqualTo(Verdict.CHECK);
    assertThat(throttle.failed(A, "alice", false)).as("third failure from A").isTrue();
  }

  @Test
  void addressesTheUserLoggedInFromAreExemptFromTheNamesPause() {
    LoginThrottle throttle = throttle(100, 2);
    throttle.succeeded(A, "alice");
    throttle.failed(B, "alice", true);
    throttle.failed(B, "alice", true);
    assertThat(throttle.verdict(B, "alice")).isEqualTo(Verdict.NAME_PAUSED);
    assertThat(throttle.verdict(A, "Alice")).isEqualTo(Verdict.CHECK);

    pass(LoginThrottle.KNOWN_FOR);
    throttle.failed(B, "alice", true);
    throttle.failed(B, "alice", true);
    assertThat(throttle.verdict(A, "alice"))
        .as("the exemption ends %s after the last login", LoginThrottle.KNOWN_FOR)
        .isEqualTo(Verdict.NAME_PAUSED);
  }

  @Test
  void sprayingAddressesAndNamesKeepsTheTablesBoundedAndTheyEmptyWithAge() {
    LoginThrottle throttle = throttle(2, 2);
    int sprayed = LoginThrottle.MAX_TRACKED * 2;
    for (int i = 0; i < sprayed; i++) {
      InetAddress from = address(i);
      throttle.failed(from, "user" + i, true);
      throttle.failed(from, "user" + i, true);
    }
    assertThat(throttle.tracked()).isLessThanOrEqualTo(3L * LoginThrottle.MAX_TRACKED);

    pass(WINDOW.plusSeconds(1));
    assertThat(throttle.tracked()).isZero();
  }

  private static InetAddress address(int n) {
    try {
      return InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
