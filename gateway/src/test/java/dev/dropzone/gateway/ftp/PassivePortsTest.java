package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Passive listeners belong to their session, on a small range picked at runtime: sessions that send
 * PASV again and again and then QUIT or just drop leave no port behind, a newer PASV closes the
 * older listener, and a listener nobody connects to closes after the accept timeout. Checked from
 * outside, as a client would see it: a connect attempt to each port of the range.
 */
class PassivePortsTest {

  private static final Pattern PASV_REPLY =
      Pattern.compile("227 .*\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)");
  private static final Duration SHORT_ACCEPT_TIMEOUT = Duration.ofSeconds(2);

  private List<Integer> range;
  private GatewayUnderTest gw;

  /**
   * @param acceptTimeout long where a test must not see listeners close by timing out
   */
  private void start(Duration acceptTimeout) throws Exception {
    range = freePorts(3);
    SettingsBuilder settings = new SettingsBuilder();
    settings.passivePorts = range.stream().map(String::valueOf).collect(Collectors.joining(","));
    settings.dataConnectTimeout = acceptTimeout;
    gw = GatewayUnderTest.start(settings.build());
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
  }

  @Test
  void sessionsThatSendPasvRepeatedlyThenQuitOrDropLeaveNoPortBehind() throws Exception {
    start(Duration.ofMinutes(5));
    for (int session = 0; session < 15; session++) {
      RawControl control = new RawControl(gw.port());
      control.reply();
      assertThat(control.login("alice")).startsWith("230");
      List<Integer> ports = new ArrayList<>();
      for (int pasv = 0; pasv < 3; pasv++) {
        ports.add(pasv(control));
      }
      // Only the newest listener is open; the older ones closed when it replaced them.
      for (int older : ports.subList(0, 2)) {
        if (older != ports.get(2)) {
          assertThat(listening(older)).as("port %d replaced by a newer PASV", older).isFalse();
        }
      }
      if (session % 2 == 0) {
        assertThat(control.send("QUIT")).startsWith("221");
      }
      control.close();
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(gw.gateway.passivePortsInUse()).isZero());
    for (int port : range) {
      assertThat(listening(port)).as("port %d after every session ended", port).isFalse();
    }
    for (int transfer = 0; transfer < range.size() + 2; transfer++) {
      roundTrip("after-" + transfer + ".bin");
    }
    assertThat(gw.gateway.passivePortsInUse()).isZero();
  }

  @Test
  void aPassiveAddressThatDoesNotResolveFailsTheStartNamingTheSetting() {
    SettingsBuilder settings = new SettingsBuilder();
    // RFC 2606: never resolves.
    settings.passiveAddress = "ftp.example.invalid";
    assertThatThrownBy(() -> GatewayUnderTest.start(settings.build()).close())
        .isInstanceOf(IOException.class)
        .hasMessage(
            "ftp.passiveAddress 'ftp.example.invalid' does not resolve; set it to this server's"
                + " public IP address or a host name DNS resolves");
  }

  @Test
  void aPassivePortNobodyConnectsToClosesAfterTheAcceptTimeout() throws Exception {
    start(SHORT_ACCEPT_TIMEOUT);
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      int port = pasv(control);
      assertThat(listening(port)).isTrue();

      await()
          .atMost(SHORT_ACCEPT_TIMEOUT.plusSeconds(20))
          .untilAsserted(() -> assertThat(gw.gateway.passivePortsInUse()).isZero());
      assertThat(listening(port)).isFalse();
      assertThat(control.send("NOOP")).startsWith("200");
      assertThat(control.send("STOR late.bin"))
          .isEqualTo(
              "503 The passive port closed after 2 s without a connection; send PASV or EPSV"
                  + " again");
      assertThat(pasv(control)).isIn(range);
    }
    roundTrip("after-timeout.bin");
  }

  @Test
  void whenEveryPortIsTakenPasvSaysSoAndAFreedPortServesTheNextSession() throws Exception {
    start(Duration.ofMinutes(5));
    List<RawControl> holders = new ArrayList<>();
    try {
      for (int i = 0; i < range.size(); i++) {
        RawControl holder = new RawControl(gw.port());
        holders.add(holder);
        holder.reply();
        holder.login("alice");
        pasv(holder);
      }
      try (RawControl late = new RawControl(gw.port())) {
        late.reply();
        late.login("bob");
        assertThat(late.send("PASV"))
            .startsWith("425 All 3 passive ports are in use; try again shortly");

        holders.remove(0).close();
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(() -> assertThat(late.send("EPSV")).startsWith("229"));
      }
    } finally {
      for (RawControl holder : holders) {
        holder.close();
      }
    }
  }

  @Test
  void afterEpsvAllOnlyEpsvSetsUpDataConnections() throws Exception {
    start(Duration.ofMinutes(5));
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("EPSV ALL")).isEqualTo("200 EPSV ALL okay");
      String refusal =
          "503 EPSV ALL was sent on this connection: set up data connections with EPSV";
      assertThat(control.send("PASV")).isEqualTo(refusal);
      assertThat(control.send("PORT 127,0,0,1,200,10")).isEqualTo(refusal);
      assertThat(control.send("EPRT |1|127.0.0.1|51210|")).isEqualTo(refusal);
      assertThat(gw.gateway.passivePortsInUse()).isZero();

      String epsv = control.send("EPSV");
      Matcher extended = Pattern.compile("229 .*\\(\\|\\|\\|(\\d+)\\|\\)").matcher(epsv);
      assertThat(extended.matches()).as(epsv).isTrue();
      try (Socket data = new Socket("127.0.0.1", Integer.parseInt(extended.group(1)))) {
        assertThat(control.send("NLST")).startsWith("150");
        data.getInputStream().readAllBytes();
      }
      assertThat(control.reply()).startsWith("226");
    }
  }

  @Test
  void eachDataCommandReplacesTheListenerAndAnAcceptedConnectionClosesIt() throws Exception {
    start(Duration.ofMinutes(5));
    try (RawControl control = new RawControl(gw.port());
        ServerSocket activeTarget = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      control.reply();
      control.login("alice");
      int active = activeTarget.getLocalPort();

      int first = pasv(control);
      String epsv = control.send("EPSV");
      Matcher extended = Pattern.compile("229 .*\\(\\|\\|\\|(\\d+)\\|\\)").matcher(epsv);
      assertThat(extended.matches()).as(epsv).isTrue();
      int second = Integer.parseInt(extended.group(1));
      assertThat(second).isIn(range);
      if (second != first) {
        assertThat(listening(first)).as("PASV's port, replaced by EPSV").isFalse();
      }
      assertThat(gw.gateway.passivePortsInUse()).isEqualTo(1);

      assertThat(control.send("PORT 127,0,0,1," + (active >> 8) + "," + (active & 0xff)))
          .startsWith("200");
      assertThat(listening(second)).as("EPSV's port, replaced by PORT").isFalse();
      assertThat(gw.gateway.passivePortsInUse()).isZero();

      int third = pasv(control);
      assertThat(control.send("EPRT |1|127.0.0.1|" + active + "|")).startsWith("200");
      assertThat(listening(third)).as("PASV's port, replaced by EPRT").isFalse();
      assertThat(gw.gateway.passivePortsInUse()).isZero();

      // Accepted: the listener closes while the transfer it serves still runs.
      int port = pasv(control);
      try (Socket data = new Socket("127.0.0.1", port)) {
        assertThat(control.send("STOR held-open.bin")).startsWith("150");
        OutputStream out = data.getOutputStream();
        out.write(Content.bytes(31, 10_000));
        out.flush();
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> assertThat(gw.gateway.passivePortsInUse()).isZero());
        assertThat(listening(port)).as("the port of a running transfer").isFalse();
        out.write(Content.bytes(32, 10_000));
      }
      assertThat(control.reply()).startsWith("226");
    }
    roundTrip("after-replacements.bin");
  }

  private void roundTrip(String name) throws IOException {
    FTPClient client = gw.login("alice");
    try {
      byte[] content = Content.bytes(name.hashCode(), 100_000);
      assertThat(client.storeFile(name, new ByteArrayInputStream(content)))
          .as(client.getReplyString())
          .isTrue();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      assertThat(client.retrieveFile(name, back)).as(client.getReplyString()).isTrue();
      assertThat(back.toByteArray()).isEqualTo(content);
    } finally {
      client.disconnect();
    }
  }

  private int pasv(RawControl control) throws IOException {
    String reply = control.send("PASV");
    Matcher matcher = PASV_REPLY.matcher(reply);
    assertThat(matcher.matches()).as(reply).isTrue();
    int port = Integer.parseInt(matcher.group(5)) * 256 + Integer.parseInt(matcher.group(6));
    assertThat(port).isIn(range);
    return port;
  }

  /** Whether something accepts connections on the port (the connection is closed at once). */
  private static boolean listening(int port) throws IOException {
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      return true;
    } catch (ConnectException e) {
      return false;
    }
  }

  /** Ports free right now: another process could take one meanwhile, but none binds in a test. */
  private static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }
}
