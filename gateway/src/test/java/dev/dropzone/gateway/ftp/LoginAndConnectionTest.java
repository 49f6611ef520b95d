package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.LogCapture;
import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.ftp.connection.AdmissionFilter;
import dev.dropzone.gateway.ftp.connection.ClientNetworks;
import dev.dropzone.gateway.ftp.control.RefusalPace;
import dev.dropzone.gateway.users.GatedFileAuthenticator;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.mina.transport.socket.SocketSessionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Login throttling, bans, limits and timeouts; each test runs its own gateway. */
class LoginAndConnectionTest {

  @Test
  void wrongPasswordsGetTheAddressBannedAndNewConnectionsRefused() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxLoginFailures = 3;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl control = new RawControl(gw.port());
        RawControl openedBefore = new RawControl(gw.port())) {
      assertThat(control.reply()).startsWith("220");
      assertThat(openedBefore.reply()).startsWith("220");
      for (int i = 0; i < 2; i++) {
        control.send("USER alice");
        assertThat(control.send("PASS guess" + i)).isEqualTo("530 Login incorrect");
      }
      control.send("USER alice");
      assertThat(control.send("PASS guess3"))
          .isEqualTo("421 Too many failed logins from your address, try again later");
      assertThat(control.reply()).as("connection closed after the ban").isNull();

      openedBefore.send("USER alice");
      assertThat(openedBefore.send("PASS " + TestUsers.PASSWORD))
          .as("a connection opened before the ban cannot log in either")
          .isEqualTo("421 Too many failed logins from your address, try again later");

      try (RawControl next = new RawControl(gw.port())) {
        assertThat(next.reply())
            .isEqualTo("421 Too many failed logins from your address, try again later");
        assertThat(next.reply()).isNull();
      }
    }
  }

  @Test
  void aClientThatConnectsFasterThanItsRateIsRefusedUntilItSlowsDown() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.logins =
        new FtpSettings.LoginLimits(
            1000,
            60,
            1000,
            0,
            Duration.ofSeconds(10),
            ClientNetworks.DEFAULT,
            30,
            RefusalPace.Pace.DEFAULT);
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        LogCapture log = LogCapture.of(AdmissionFilter.class)) {
      // Connect and reset, as a flood does: none stays open, so no other limit applies.
      for (int i = 0; i < 30; i++) {
        try (RawControl burst = new RawControl(gw.port())) {
          assertThat(burst.reply()).as("connection %d of 30", i + 1).startsWith("220");
        }
      }
      for (int i = 0; i < 20; i++) {
        try (RawControl over = new RawControl(gw.port())) {
          assertThat(over.reply())
              .isEqualTo(
                  "421 Too many new connections from your address (limit 30 a minute), try again"
                      + " in a few seconds");
        }
      }
      assertThat(log.lines().stream().filter(line -> line.contains("Refused connection")))
          .as("the burst of refusals is logged once")
          .containsExactly(
              "INFO Refused connection from 127.0.0.1: too many new connections from your address"
                  + " (limit 30 a minute), try again in a few seconds");
      // At 30 a minute, one more connection is allowed 2 s later.
      awaitGreeted(gw, Duration.ofSeconds(30));
    }
  }

  @Test
  void anIpv6ClientIsCountedAndBannedByItsNetworkAndLoggedByItsOwnAddress() throws Exception {
    InetAddress loopback6 = InetAddress.getByName("::1");
    SettingsBuilder settings = new SettingsBuilder();
    settings.bind = "::1";
    settings.maxLoginFailures = 2;
    settings.logins = new FtpSettings.LoginLimits(100, 2, 1000, 0, Duration.ofSeconds(10));
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        LogCapture log = LogCapture.of("dev.dropzone.gateway.ftp.login.LoginAttempt");
        RawControl control = new RawControl(gw.port(), loopback6);
        RawControl waiting = new RawControl(gw.port(), loopback6)) {
      assertThat(control.reply()).startsWith("220");
      assertThat(waiting.reply()).startsWith("220");
      try (RawControl third = new RawControl(gw.port(), loopback6)) {
        assertThat(third.reply())
            .isEqualTo(
                "421 Too many connections from your network (/64) that have not logged in"
                    + " (limit 2), log in on one of them first");
      }
      assertThat(control.login("alice", "guess1")).isEqualTo("530 Login incorrect");
      assertThat(control.login("alice", "guess2"))
          .isEqualTo("421 Too many failed logins from your address, try again later");
      assertThat(log.lines())
          .as("the log names the client, and the network its ban covers")
          .contains(
              "INFO Failed login as 'alice' from 0:0:0:0:0:0:0:1: wrong user name or password")
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith(
                          "WARN Banned 0:0:0:0:0:0:0:1 (network 0:0:0:0:0:0:0:0/64) for 900 s"));
      try (RawControl next = new RawControl(gw.port(), loopback6)) {
        assertThat(next.reply())
            .isEqualTo("421 Too many failed logins from your address, try again later");
      }
    }
  }

  @Test
  void loggedInSessionsAreLimitedInTotalAndAFreedPlaceIsTakenAgain() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxConnections = 2;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl first = new RawControl(gw.port());
        RawControl second = new RawControl(gw.port());
        RawControl waiting = new RawControl(gw.port())) {
      assertThat(first.reply()).startsWith("220");
      assertThat(second.reply()).startsWith("220");
      assertThat(waiting.reply()).as("admitted before the server was full").startsWith("220");
      assertThat(first.login("alice")).startsWith("230");
      assertThat(second.login("bob")).startsWith("230");
      assertThat(waiting.login("reader"))
          .isEqualTo("421 Too many users logged in (limit 2), try again later");
      assertThat(waiting.reply()).as("closed after its refusal").isNull();
      try (RawControl late = new RawControl(gw.port())) {
        assertThat(late.reply())
            .isEqualTo("421 Too many connections to this server, try again later");
      }
      assertThat(first.send("QUIT")).startsWith("221");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                try (RawControl next = new RawControl(gw.port())) {
                  assertThat(next.reply()).startsWith("220");
                  assertThat(next.login("reader")).startsWith("230");
                }
              });
    }
  }

  @Test
  void aValidLoginDoesNotBuyAnAddressNewGuessesAtOtherNames() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxLoginFailures = 3;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.login("bob", "guess 1")).isEqualTo("530 Login incorrect");
      assertThat(control.login("bob", "guess 2")).isEqualTo("530 Login incorrect");
      // The attacker's own account: logging in to it must not wipe the guesses at bob.
      try (RawControl own = new RawControl(gw.port())) {
        own.reply();
        assertThat(own.login("alice")).startsWith("230");
      }
      assertThat(control.login("bob", "guess 3"))
          .isEqualTo("421 Too many failed logins from your address, try again later");
    }
  }

  @Test
  void everyConnectionKeepsAnsweringAfterItsLoginIsAnswered() throws Exception {
    // Reading resumes after each answered PASS; done carelessly beside the I/O thread flushing the
    // reply, a connection could lose its read interest and never answer again.
    int clients = 48;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try (GatewayUnderTest gw = GatewayUnderTest.start()) {
      List<Future<List<String>>> answers = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        answers.add(
            pool.submit(
                () -> {
                  try (RawControl control = new RawControl(gw.port())) {
                    control.reply();
                    return java.util.stream.Stream.of(
                            control.login("alice", "wrong"),
                            control.send("NOOP"),
                            control.login("alice"),
                            control.send("NOOP"))
                        .map(reply -> reply == null ? "no answer" : reply.substring(0, 3))
                        .toList();
                  }
                }));
      }
      for (Future<List<String>> answer : answers) {
        assertThat(answer.get(120, TimeUnit.SECONDS))
            .as("NOOP before login is refused, after login answered")
            .containsExactly("530", "530", "230", "200");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theCommandAfterALoginIsReadAtOnceNotAtTheIoThreadsNextWakeUp() throws Exception {
    // Reading resumes after each answered PASS. When the 230 was already out, that happened on the
    // password-check thread while MINA's I/O thread sat in a select of up to 1 s, which applies a
    // changed read interest only when it selects again: about one login in eight had its next
    // command answered a whole second late. The bound is far above a NOOP's time (under 10 ms
    // here) and below that second; 40 logins miss the stall with a chance of about 1 in 200.
    int logins = 40;
    long worst = 0;
    try (GatewayUnderTest gw = GatewayUnderTest.start()) {
      for (int i = 0; i < logins; i++) {
        try (RawControl control = new RawControl(gw.port())) {
          control.reply();
          assertThat(control.login("alice")).startsWith("230");
          long start = System.nanoTime();
          assertThat(control.send("NOOP")).startsWith("200");
          worst = Math.max(worst, System.nanoTime() - start);
        }
      }
    }
    assertThat(Duration.ofNanos(worst))
        .as("slowest NOOP right after a login")
        .isLessThan(Duration.ofMillis(700));
  }

  @Test
  void controlConnectionsSendRepliesWithoutNaglesDelay() throws Exception {
    // With Nagle on, the 226 after a transfer waits for the client's delayed ACK of the 150
    // (~40 ms a file on Linux); the socket option is the fix, so the test checks the option.
    try (GatewayUnderTest gw = GatewayUnderTest.start();
        RawControl control = new RawControl(gw.port())) {
      assertThat(control.reply()).startsWith("220");
      assertThat(gw.gateway.controlSessions())
          .isNotEmpty()
          .allSatisfy(
              session ->
                  assertThat(((SocketSessionConfig) session.getConfig()).isTcpNoDelay())
                      .as("TCP_NODELAY on " + session.getRemoteAddress())
                      .isTrue());
    }
  }

  @Test
  void anonymousAndUnknownUsersAreRefusedAndTheRightPasswordWorks() throws Exception {
    try (GatewayUnderTest gw = GatewayUnderTest.start()) {
      try (RawControl control = new RawControl(gw.port())) {
        control.reply();
        assertThat(control.send("USER anonymous")).startsWith("530 Anonymous logins are not");
        assertThat(control.send("PASS guest@example.com")).startsWith("503");
        assertThat(control.send("LIST")).startsWith("530");
      }
      try (RawControl control = new RawControl(gw.port())) {
        control.reply();
        control.send("USER mallory");
        assertThat(control.send("PASS " + TestUsers.PASSWORD)).isEqualTo("530 Login incorrect");
        control.send("USER alice");
        assertThat(control.send("PASS wrong")).isEqualTo("530 Login incorrect");
        assertThat(control.send("LIST")).startsWith("530");
        assertThat(control.login("alice")).isEqualTo("230 Logged in as alice");
      }
    }
  }

  @Test
  void anUnavailableUserSourceIsA421AndNoFailedLogin() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxLoginFailures = 1;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build())) {
      try (RawControl control = new RawControl(gw.port())) {
        control.reply();
        assertThat(control.login(TestUsers.OUTAGE))
            .isEqualTo("421 Login service unavailable, try again later");
      }
      try (RawControl control = new RawControl(gw.port())) {
        assertThat(control.reply()).as("not banned").startsWith("220");
        assertThat(control.login("alice")).startsWith("230");
      }
    }
  }

  @Test
  void connectionsPerAddressAreLimited() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxConnectionsPerIp = 2;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl first = new RawControl(gw.port());
        RawControl second = new RawControl(gw.port())) {
      assertThat(first.reply()).startsWith("220");
      assertThat(second.reply()).startsWith("220");
      try (RawControl third = new RawControl(gw.port())) {
        assertThat(third.reply())
            .isEqualTo("421 Too many connections from your address (limit 2), try again later");
      }
      first.send("QUIT");
      awaitGreeted(gw, Duration.ofSeconds(10));
    }
  }

  @Test
  void aConnectionThatDoesNotLogInIsClosedAfterTheLoginTimeout() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    // Long enough for the other connection to log in on a loaded machine (2 cores, several builds).
    settings.loginTimeout = Duration.ofSeconds(2);
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl idle = new RawControl(gw.port());
        RawControl busy = new RawControl(gw.port())) {
      idle.reply();
      busy.reply();
      assertThat(busy.login("alice")).startsWith("230");
      // The reply blocks until the server speaks: the timeout reply, then end of stream.
      assertThat(idle.reply()).startsWith("421 Login timeout");
      assertThat(idle.reply()).isNull();
      assertThat(busy.send("NOOP")).startsWith("200");
    }
  }

  @Test
  void connectionsThatHaveNotLoggedInAreLimitedPerAddressApartFromLoggedInOnes() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxConnectionsPerIp = 4;
    settings.logins = new FtpSettings.LoginLimits(100, 2, 1000, 0, Duration.ofSeconds(10));
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl first = new RawControl(gw.port());
        RawControl second = new RawControl(gw.port())) {
      assertThat(first.reply()).startsWith("220");
      assertThat(second.reply()).startsWith("220");
      try (RawControl third = new RawControl(gw.port())) {
        assertThat(third.reply())
            .isEqualTo(
                "421 Too many connections from your address that have not logged in (limit 2),"
                    + " log in on one of them first");
      }
      assertThat(first.login("alice")).startsWith("230");
      try (RawControl third = new RawControl(gw.port());
          RawControl fourth = new RawControl(gw.port(), SourceAddresses.address(1))) {
        assertThat(third.reply())
            .as("a logged-in session frees its waiting place")
            .startsWith("220");
        assertThat(fourth.reply()).as("other addresses have their own").startsWith("220");
      }
    }
  }

  @Test
  void manySessionsFromOneAddressWorkWithTheDefaultLimits() throws Exception {
    SettingsBuilder settings = SettingsBuilder.productDefaults();
    int burst = settings.logins.maxPreLoginConnectionsPerIp();
    int sessions = settings.maxConnectionsPerIp;
    ExecutorService pool = Executors.newFixedThreadPool(burst);
    List<FTPClient> clients = new CopyOnWriteArrayList<>();
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build())) {
      // A client opening its parallel connections at once (rclone's checkers and transfers).
      CountDownLatch go = new CountDownLatch(1);
      List<Future<FTPClient>> opened = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        opened.add(
            pool.submit(
                () -> {
                  go.await();
                  return gw.login("alice");
                }));
      }
      go.countDown();
      for (Future<FTPClient> client : opened) {
        clients.add(client.get(60, TimeUnit.SECONDS));
      }
      while (clients.size() < sessions) {
        clients.add(gw.login("alice"));
      }
      List<Future<Boolean>> uploads = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        FTPClient client = clients.get(i);
        byte[] content = Content.bytes(i, 10_000);
        String name = "parallel-" + i + ".bin";
        uploads.add(pool.submit(() -> client.storeFile(name, new ByteArrayInputStream(content))));
      }
      for (Future<Boolean> upload : uploads) {
        assertThat(upload.get(120, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(clients.get(0).listNames()).hasSize(sessions);
      try (RawControl beyond = new RawControl(gw.port())) {
        assertThat(beyond.reply())
            .isEqualTo(
                "421 Too many connections from your address (limit "
                    + sessions
                    + "), try again"
                    + " later");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * @param remembering whether the user source remembers verified passwords (a users file), so that
   *     the right password could be answered without a check (see {@link RememberedLoginTest}): the
   *     pause must hold for it too
   */
  @ParameterizedTest(name = "remembering user source: {0}")
  @ValueSource(booleans = {false, true})
  void aNameGuessedAtFromManyAddressesPausesButItsUsersOwnAddressStillLogsIn(
      boolean remembering, @TempDir Path dir) throws Exception {
    SourceAddresses.assumeAvailable();
    SettingsBuilder settings = new SettingsBuilder();
    settings.logins = new FtpSettings.LoginLimits(100, 60, 3, 0, Duration.ofSeconds(10));
    Authenticator users =
        remembering
            ? new GatedFileAuthenticator(
                    dir.resolve("users.yaml"), TestUsers.PASSWORD, "alice", "bob")
                .authenticator()
            : new TestUsers();
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build(), users)) {
      try (RawControl usual = new RawControl(gw.port())) {
        usual.reply();
        assertThat(usual.login("alice")).startsWith("230");
      }
      SourceAddresses.guessFromMany(gw.port(), "alice", 3);
      try (RawControl stranger = new RawControl(gw.port(), SourceAddresses.address(10))) {
        stranger.reply();
        assertThat(stranger.login("alice"))
            .as("refused before the password is checked, right or not")
            .isEqualTo("530 Too many failed logins for this user name, try again later");
        assertThat(stranger.login("bob")).as("other names are not paused").startsWith("230");
      }
      try (RawControl usual = new RawControl(gw.port())) {
        usual.reply();
        assertThat(usual.login("alice"))
            .as("the address alice logged in from before is exempt")
            .startsWith("230");
      }
    }
  }

  @Test
  void userNamesAreLoggedWithControlCharactersEscaped() throws Exception {
    try (GatewayUnderTest gw = GatewayUnderTest.start();
        LogCapture log = LogCapture.of("dev.dropzone.gateway.ftp.login.LoginAttempt");
        RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.login("eve\u0000\u001b[2J\u202eadmin", "wrong")).startsWith("530");
      assertThat(log.lines())
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith("INFO Failed login as 'eve\\u0000\\u001b[2J\\u202eadmin' from"));
      assertThat(log.lines())
          .allSatisfy(line -> assertThat(line).doesNotContain("\u001b", "\u202e", "\u0000"));
    }
  }

  @Test
  void refusedCommandLinesAreLoggedWithControlCharactersEscaped() throws Exception {
    try (GatewayUnderTest gw = GatewayUnderTest.start();
        LogCapture store = LogCapture.of("dev.dropzone.gateway.ftp.command.StoreCommand");
        LogCapture active = LogCapture.of("dev.dropzone.gateway.ftp.data.ActiveCommand");
        RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.login("alice")).startsWith("230");
      assertThat(control.send("MKD a\u001b[2Jb\u202e")).startsWith("553");
      assertThat(control.send("EPRT |1|127.0.0.1\u202e|51000|")).startsWith("501");

      assertThat(store.lines())
          .anySatisfy(line -> assertThat(line).contains("alice 'MKD a\\u001b[2Jb\\u202e' refused"));
      assertThat(active.lines()).anySatisfy(line -> assertThat(line).contains("'1\\u202e'"));
      assertThat(store.lines())
          .allSatisfy(line -> assertThat(line).doesNotContain("\u001b", "\u202e"));
      assertThat(active.lines()).allSatisfy(line -> assertThat(line).doesNotContain("\u202e"));
    }
  }

  @Test
  void overlongCommandLinesAreRefusedAndTheConnectionCarriesOn() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxCommandLength = 512;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.send("USER " + "a".repeat(600)))
          .isEqualTo("500 Command line too long (limit 512 bytes)");
      assertThat(control.login("alice")).startsWith("230");
      assertThat(control.send("NOOP " + "x".repeat(5000)))
          .isEqualTo("500 Command line too long (limit 512 bytes)");
      assertThat(control.send("NOOP")).startsWith("200");
    }
  }

  @Test
  void activeModeGoesOnlyToTheClientsOwnAddressAndUnprivilegedPorts() throws Exception {
    try (GatewayUnderTest gw = GatewayUnderTest.start();
        RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("PORT 10,1,2,3,200,10"))
          .isEqualTo("504 PORT refused: data connections go only to your own address");
      assertThat(control.send("EPRT |1|192.0.2.7|51000|"))
          .isEqualTo("504 EPRT refused: data connections go only to your own address");
      assertThat(control.send("PORT 127,0,0,1,0,21"))
          .isEqualTo("504 PORT refused: port 21 is below 1024");
      assertThat(control.send("PORT 127,0,0,1,200,10")).startsWith("200");
    }
  }

  @Test
  void aPortInUseFailsStartupWithAClearMessage() throws Exception {
    try (GatewayUnderTest first = GatewayUnderTest.start()) {
      SettingsBuilder settings = new SettingsBuilder();
      settings.port = first.port();
      assertThatThrownBy(() -> GatewayUnderTest.start(settings.build()).close())
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("FTP server could not start on 127.0.0.1:" + first.port());
    }
  }

  @Test
  void activeModeCanBeSwitchedOff() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.activeMode = false;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build());
        RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("PORT 127,0,0,1,200,10"))
          .isEqualTo("502 Active mode is disabled on this server; use passive mode (PASV/EPSV)");
      assertThat(control.send("FEAT")).isEqualTo("211 End");
    }
  }

  /** Waits until a new connection is greeted with 220 instead of being refused. */
  private static void awaitGreeted(GatewayUnderTest gw, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              try (RawControl next = new RawControl(gw.port())) {
                return next.reply().startsWith("220");
              }
            });
  }
}
