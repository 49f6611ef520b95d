package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;

/**
 * Many distinct client addresses on one machine: Linux routes all of 127.0.0.0/8 to the loopback
 * interface, so a client socket bound to 127.0.1.7 reaches a server on 127.0.0.1 from its own
 * address, as a second host would.
 */
final class SourceAddresses {

  private SourceAddresses() {}

  /** The {@code n}-th test address, 127.0.1.1 upwards (never 127.0.0.1, the tests' own). */
  static InetAddress address(int n) {
    try {
      return InetAddress.getByAddress(
          new byte[] {127, 0, (byte) (1 + n / 250), (byte) (1 + n % 250)});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Fails one login of {@code name} with a wrong password from each of the first {@code count} test
   * addresses, as a guesser spread over many hosts would.
   */
  static void guessFromMany(int port, String name, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      try (RawControl guesser = new RawControl(port, address(i))) {
        guesser.reply();
        assertThat(guesser.login(name, "guess " + i)).isEqualTo("530 Login incorrect");
      }
    }
  }

  /**
   * Skips the test where client sockets cannot be bound to loopback addresses other than 127.0.0.1.
   */
  static void assumeAvailable() {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(address(7), 0));
    } catch (IOException e) {
      assumeTrue(false, "needs 127.x.y.z client addresses (Linux): " + e.getMessage());
    }
  }

  /**
   * File descriptors this JVM may still open, or {@code Long.MAX_VALUE} where the platform does not
   * say.
   */
  static long freeFileDescriptors() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
    }
    return Long.MAX_VALUE;
  }
}
