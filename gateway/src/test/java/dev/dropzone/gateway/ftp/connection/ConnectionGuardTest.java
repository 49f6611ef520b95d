package dev.dropzone.gateway.ftp.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.ftp.connection.ConnectionGuard.Admission;
import dev.dropzone.gateway.ftp.connection.ConnectionGuard.Admitted;
import dev.dropzone.gateway.ftp.connection.ConnectionGuard.Place;
import dev.dropzone.gateway.ftp.connection.ConnectionGuard.Refused;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ConnectionGuardTest {

  private static final InetAddress A = address(1);
  private static final InetAddress B = address(2);
  private static final InetAddress C = address(3);

  /** A connection whose activity the test sets by hand. */
  private static final class FakeConnection implements ConnectionGuard.Connection {
    boolean spoken;
    long lastActivity;
    boolean shed;

    FakeConnection(long lastActivity) {
      this.lastActivity = lastActivity;
    }

    @Override
    public boolean hasSpoken() {
      return spoken;
    }

    @Override
    public long lastActivityMillis() {
      return lastActivity;
    }

    @Override
    public void shed() {
      shed = true;
    }
  }

  private long clock;

  private Place admitted(ConnectionGuard guard, InetAddress address, FakeConnection connection) {
    Admission admission = guard.admit(address, connection);
    assertThat(admission).isInstanceOf(Admitted.class);
    return ((Admitted) admission).place();
  }

  private Place admitted(ConnectionGuard guard, InetAddress address) {
    return admitted(guard, address, new FakeConnection(clock++));
  }

  private static String refusal(ConnectionGuard guard, InetAddress address) {
    Admission admission = guard.admit(address, new FakeConnection(0));
    assertThat(admission).isInstanceOf(Refused.class);
    return ((Refused) admission).reason();
  }

  @Test
  void loggedInSessionsHaveTheirOwnTotal() {
    ConnectionGuard guard = new ConnectionGuard(new ConnectionGuard.Limits(2, 10, 10, 10));
    Place first = admitted(guard, A);
    Place second = admitted(guard, B);
    Place third = admitted(guard, C);
    assertThat(guard.logIn(first)).isNull();
    assertThat(guard.logIn(second)).isNull();
    assertThat(guard.logIn(third)).isEqualTo("Too many users logged in (limit 2), try again later");
    assertThat(refusal(guard, C)).isEqualTo("Too many connections to this server, try again later");

    guard.release(first);
    assertThat(guard.logIn(third)).isNull();
    assertThat(guard.loggedInCount()).isEqualTo(2);
    assertThat(guard.preLoginCount()).isZero();
  }

  @Test
  void theAddressesOfOneIpv6NetworkShareTheirLimits() throws Exception {
    ConnectionGuard guard = new ConnectionGuard(new ConnectionGuard.Limits(10, 3, 10, 2));
    Place first = admitted(guard, InetAddress.getByName("2001:db8:5:6::1"));
    admitted(guard, InetAddress.getByName("2001:db8:5:6::2"));
    assertThat(refusal(guard, InetAddress.getByName("2001:db8:5:6:ffff::3")))
        .isEqualTo(
            "Too many connections from your network (/64) that have not logged in (limit 2), log"
                + " in on one of them first");
    assertThat(guard.logIn(first)).isNull();
    admitted(guard, InetAddress.getByName("2001:db8:5:6::4"));
    assertThat(refusal(guard, InetAddress.getByName("2001:db8:5:6::5")))
        .isEqualTo("Too many connections from your network (/64) (limit 3), try again later");
    admitted(guard, InetAddress.getByName("2001:db8:5:7::1"));

    ConnectionGuard alone =
        new ConnectionGuard(new ConnectionGuard.Limits(10, 3, 10, 2, new ClientNetworks(128)));
    admitted(alone, InetAddress.getByName("2001:db8:5:6::1"));
    admitted(alone, InetAddress.getByName("2001:db8:5:6::1"));
    admitted(alone, InetAddress.getByName("2001:db8:5:6::2"));
    assertThat(refusal(alone, InetAddress.getByName("2001:db8:5:6::1")))
        .startsWith("Too many connections from your address that have not logged in");
  }

  @Test
  void connectionsPerAddressCountLoggedInAndWaitingOnes() {
    ConnectionGuard guard = new ConnectionGuard(new ConnectionGuard.Limits(10, 3, 10, 2));
    Place first = admitted(guard, A);
    admitted(guard, A);
    assertThat(refusal(guard, A))
        .isEqualTo(
            "Too many connections from your address that have not logged in (limit 2), log in on"
                + " one of them first");
    assertThat(guard.logIn(first)).isNull();
    admitted(guard, A);
    assertThat(refusal(guard, A))
        .isEqualTo("Too many connections from your address (limit 3), try again later");
    admitted(guard, B);

    guard.release(first);
    guard.release(first);
    assertThat(guard.loggedInCount()).isZero();
    assertThat(guard.preLoginCount()).as("A's two waiting, B's one").isEqualTo(3);
    assertThat(refusal(guard, A)).contains("that have not logged in (limit 2)");
  }

  @Test
  void aFullWaitingRoomShedsTheConnectionSilentLongest() {
    ConnectionGuard guard = new ConnectionGuard(new ConnectionGuard.Limits(10, 10, 3, 10));
    FakeConnection spokeEarly = new FakeConnection(1);
    spokeEarly.spoken = true;
    FakeConnection silentOld = new FakeConnection(5);
    FakeConnection silentNew = new FakeConnection(9);
    admitted(guard, A, spokeEarly);
    Place old = admitted(guard, B, silentOld);
    admitted(guard, C, silentNew);

    Place newcomer = admitted(guard, C, new FakeConnection(10));

    assertThat(silentOld.shed).as("never spoke and waited longest").isTrue();
    assertThat(spokeEarly.shed).as("a client that spoke goes after the silent ones").isFalse();
    assertThat(silentNew.shed).isFalse();
    assertThat(guard.preLoginCount()).isEqualTo(3);
    guard.release(old);
    assertThat(guard.preLoginCount()).as("a shed place is not given back twice").isEqualTo(3);

    assertThat(guard.logIn(newcomer)).isNull();
    admitted(guard, A, new FakeConnection(11));
    assertThat(guard.preLoginCount()).isEqualTo(3);
    assertThat(silentNew.shed).isFalse();
  }

  @Test
  void whenAllHaveSpokenTheLeastRecentlyActiveIsShed() {
    ConnectionGuard guard = new ConnectionGuard(new ConnectionGuard.Limits(10, 10, 2, 10));
    FakeConnection quiet = new FakeConnection(3);
    quiet.spoken = true;
    FakeConnection chatty = new FakeConnection(8);
    chatty.spoken = true;
    admitted(guard, A, quiet);
    admitted(guard, B, chatty);

    admitted(guard, C, new FakeConnection(9));

    assertThat(quiet.shed).isTrue();
    assertThat(chatty.shed).isFalse();
  }

  @Test
  void aShedConnectionCannotLogIn() {
    ConnectionGuard guard = new ConnectionGuard(new ConnectionGuard.Limits(10, 10, 1, 10));
    Place first = admitted(guard, A);
    admitted(guard, B);
    assertThat(guard.logIn(first)).isEqualTo("Connection closed");
    assertThat(guard.loggedInCount()).isZero();
  }

  @Test
  void afterAStopRequestEveryNewConnectionIsRefused() {
    ConnectionGuard guard = new ConnectionGuard(new ConnectionGuard.Limits(10, 10, 10, 10));
    guard.refuseNewConnections();
    assertThat(refusal(guard, A)).isEqualTo("Server is shutting down, try again later");
  }

  private static InetAddress address(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
