package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.LogCapture;
import dev.dropzone.gateway.ftp.control.RefusalPace;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A logged-in client whose commands keep failing at once (here: a verb the server does not know)
 * would get thousands of replies a second, each an audit or log line. Past its network's budget
 * ({@link RefusalPace.Pace#DEFAULT}) each further command waits its turn; one that floods the
 * server with commands while it waits is disconnected.
 */
class RefusedCommandFloodTest {

  private static final RefusalPace.Pace PACE = RefusalPace.Pace.DEFAULT;

  private GatewayUnderTest gw;

  @BeforeEach
  void start() throws Exception {
    gw = GatewayUnderTest.start();
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
  }

  @Test
  void refusalsBeyondTheBudgetAreSlowedToItsRateAndStillAnswered() throws Exception {
    int beyond = PACE.perSecond() * 2;
    try (LogCapture log = LogCapture.of(RefusalPace.class);
        RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      long started = System.nanoTime();
      for (int i = 0; i < PACE.burst() + beyond; i++) {
        assertThat(control.send("FOO" + i)).startsWith("502");
      }
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      // However fast the burst went, the refusals beyond it came at the rate: two seconds' worth.
      assertThat(tookMillis).isGreaterThanOrEqualTo(beyond * 1000L / PACE.perSecond() - 100);

      assertThat(control.send("PWD")).as("commands still work, in order").startsWith("257 \"/\"");
      assertThat(log.lines())
          .singleElement()
          .asString()
          .startsWith("INFO Slowing down the commands of 127.0.0.1: more than 500 refused");
    }
  }

  @Test
  void aClientThatSendsManyCommandsAheadWhileSlowedIsDisconnected() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.port())) {
      socket.setSoTimeout(30_000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = socket.getOutputStream();
      assertThat(in.readLine()).startsWith("220");
      out.write(("USER alice\r\nPASS " + TestUsers.PASSWORD + "\r\n").getBytes());
      assertThat(in.readLine()).startsWith("331");
      assertThat(in.readLine()).startsWith("230");

      // Everything at once, as a flooding script writes it.
      StringBuilder flood = new StringBuilder();
      for (int i = 0; i < PACE.burst() + 500; i++) {
        flood.append("FOO\r\n");
      }
      out.write(flood.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();

      List<String> replies = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        replies.add(line);
      }
      assertThat(replies.get(replies.size() - 1))
          .isEqualTo("421 Too many commands sent while being slowed down; closing the connection");
      assertThat(replies.subList(0, PACE.burst())).allMatch(r -> r.startsWith("502"));
      assertThat(replies.size()).as("far fewer answered than sent").isLessThan(PACE.burst() + 100);
    }
  }

  @Test
  void whileTwoSessionsAreSlowedAnotherOfTheirAddressIsAnsweredAtOnceByTheOneCommandThread()
      throws Exception {
    gw.close();
    SettingsBuilder settings = new SettingsBuilder();
    // One command thread for every session: a slowed command that held it would hold them all.
    settings.maxThreads = 1;
    gw = GatewayUnderTest.start(settings.build());
    try (RawControl first = new RawControl(gw.port());
        RawControl second = new RawControl(gw.port());
        RawControl other = new RawControl(gw.port())) {
      for (RawControl control : List.of(first, second, other)) {
        control.reply();
        control.login("alice");
      }
      for (int i = 0; i < PACE.burst() + PACE.perSecond(); i++) {
        first.send("FOO");
      }
      int ahead = 30;
      for (RawControl slowed : List.of(first, second)) {
        OutputStream out = slowed.socket().getOutputStream();
        out.write("FOO\r\n".repeat(ahead).getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      long started = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        assertThat(other.send("NOOP")).startsWith("200");
      }
      long answeredMillis = (System.nanoTime() - started) / 1_000_000;
      for (RawControl slowed : List.of(first, second)) {
        for (int i = 0; i < ahead; i++) {
          assertThat(slowed.reply()).startsWith("502");
        }
      }
      long slowedMillis = (System.nanoTime() - started) / 1_000_000;
      // The two sessions' refusals share their network's rate: most of 60 intervals.
      assertThat(slowedMillis).isGreaterThanOrEqualTo((2L * ahead - 2) * 1000 / PACE.perSecond());
      assertThat(answeredMillis).isLessThan(slowedMillis / 2);
      assertThat(first.send("PWD")).as("the slowed sessions go on").startsWith("257");
    }
  }

  @Test
  void aFloodOfLinesThatAreNotUtf8BeforeLoginIsPacedAndDisconnectedLikeOneOfCommands()
      throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.port())) {
      socket.setSoTimeout(30_000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("220");
      // Each line is one byte that is no UTF-8 (ä in Windows-1252): all at once, nothing read.
      byte[] flood = new byte[(PACE.burst() + 2_000) * 2];
      for (int i = 0; i < flood.length; i += 2) {
        flood[i] = (byte) 0xE4;
        flood[i + 1] = '\n';
      }
      socket.getOutputStream().write(flood);
      socket.getOutputStream().flush();

      List<String> replies = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        replies.add(line);
      }
      assertThat(replies.subList(0, PACE.burst()))
          .allMatch(r -> r.startsWith("501 Command line is not valid UTF-8"));
      assertThat(replies.get(replies.size() - 1))
          .isEqualTo("421 Too many commands sent while being slowed down; closing the connection");
      assertThat(replies.size()).as("far fewer answered than sent").isLessThan(PACE.burst() + 100);
    }
  }

  @Test
  void anotherClientsRefusalsDoNotSlowThisOne() throws Exception {
    SourceAddresses.assumeAvailable();
    try (LogCapture log = LogCapture.of(RefusalPace.class);
        RawControl flooder = new RawControl(gw.port());
        RawControl other = new RawControl(gw.port(), SourceAddresses.address(1))) {
      flooder.reply();
      flooder.login("alice");
      // Past the burst and what refills while it is sent.
      for (int i = 0; i < PACE.burst() + PACE.perSecond(); i++) {
        flooder.send("FOO");
      }
      other.reply();
      other.login("bob");
      long started = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        assertThat(other.send("FOO")).startsWith("502");
      }
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      // Held by a shared budget, each of these would wait an interval: half a second in all.
      assertThat(tookMillis).isLessThan(50 * 1000L / PACE.perSecond() - 100);
      assertThat(log.lines()).singleElement().asString().contains("commands of 127.0.0.1:");
    }
  }
}
