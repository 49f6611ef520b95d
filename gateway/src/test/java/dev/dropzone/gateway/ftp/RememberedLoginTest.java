package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.users.GatedFileAuthenticator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logins answered from the users file's memory of a recent success, on the command thread and
 * without a password-check thread: through the real FTP server, with a users file of Argon2id
 * hashes and one check thread that the test can hold, so a login that needed a check shows as one
 * that waits.
 */
class RememberedLoginTest {

  @TempDir Path dir;

  private GatewayUnderTest start(GatedFileAuthenticator users) throws Exception {
    return start(users, new SettingsBuilder(), Duration.ofSeconds(30));
  }

  /** One password-check thread, logins waiting for it at most {@code queueTimeout}. */
  private GatewayUnderTest start(
      GatedFileAuthenticator users, SettingsBuilder settings, Duration queueTimeout)
      throws Exception {
    return start(users, settings, queueTimeout, new SimpleMeterRegistry());
  }

  private GatewayUnderTest start(
      GatedFileAuthenticator users,
      SettingsBuilder settings,
      Duration queueTimeout,
      MeterRegistry meters)
      throws Exception {
    settings.logins = new FtpSettings.LoginLimits(1000, 60, 1000, 1, queueTimeout);
    return GatewayUnderTest.start(settings.build(), users.authenticator(), meters);
  }

  @Test
  void aBannedAddressIsRefusedEvenWithAPasswordTheGatewayRemembers() throws Exception {
    GatedFileAuthenticator users =
        new GatedFileAuthenticator(dir.resolve("users.yaml"), TestUsers.PASSWORD, "alice", "bob");
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxLoginFailures = 2;
    try (GatewayUnderTest gw = start(users, settings, Duration.ofSeconds(30));
        RawControl openedBefore = new RawControl(gw.port())) {
      openedBefore.reply();
      try (RawControl first = new RawControl(gw.port())) {
        first.reply();
        assertThat(first.login("alice")).as("now remembered").startsWith("230");
      }
      try (RawControl guesser = new RawControl(gw.port())) {
        guesser.reply();
        assertThat(guesser.login("bob", "guess1")).isEqualTo("530 Login incorrect");
        assertThat(guesser.login("bob", "guess2"))
            .isEqualTo("421 Too many failed logins from your address, try again later");
      }
      // The address that guessed is banned: the right, remembered password does not get it in.
      assertThat(openedBefore.login("alice"))
          .isEqualTo("421 Too many failed logins from your address, try again later");
    }
  }

  /**
   * A banned attacker keeps guessing on a connection it opened before the ban. The ban must be
   * looked at before the password: were it looked at after, each guess would still cost an Argon2id
   * hash and hold a check thread, and refusing a right password (above) would not show it. The
   * check gate is closed, so a guess that reached the user source would wait there, counted, rather
   * than be answered.
   */
  @Test
  void aBannedAddressIsRefusedWithoutItsPasswordBeingChecked() throws Exception {
    GatedFileAuthenticator users =
        new GatedFileAuthenticator(dir.resolve("users.yaml"), TestUsers.PASSWORD, "alice");
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxLoginFailures = 2;
    try (GatewayUnderTest gw = start(users, settings, Duration.ofSeconds(30));
        // A new connection from a banned address is refused before it can send PASS at all.
        RawControl openedBefore = new RawControl(gw.port())) {
      openedBefore.reply();
      try (RawControl guesser = new RawControl(gw.port())) {
        guesser.reply();
        assertThat(guesser.login("alice", "guess1")).isEqualTo("530 Login incorrect");
        assertThat(guesser.login("alice", "guess2"))
            .isEqualTo("421 Too many failed logins from your address, try again later");
      }
      users.close();
      try {
        int checked = users.checks();
        // A check would wait a minute at the closed gate: a read timeout, not a hang.
        openedBefore.socket().setSoTimeout(10_000);
        assertThat(openedBefore.login("alice", "guess3"))
            .isEqualTo("421 Too many failed logins from your address, try again later");
        assertThat(users.checks()).as("password checks after the ban").isEqualTo(checked);
        assertThat(users.waiting()).isZero();
      } finally {
        users.open();
      }
    }
  }

  /**
   * The same for a paused name: guessing at one user from yet another address, one never banned, is
   * refused unchecked while the name's pause lasts, so spreading guesses over many addresses buys
   * no password checks either.
   */
  @Test
  void aPausedNameIsRefusedWithoutItsPasswordBeingChecked() throws Exception {
    SourceAddresses.assumeAvailable();
    GatedFileAuthenticator users =
        new GatedFileAuthenticator(dir.resolve("users.yaml"), TestUsers.PASSWORD, "alice");
    SettingsBuilder settings = new SettingsBuilder();
    // Every checked failure of a name pauses it: for 1 s, then 2 s, then 4 s.
    settings.logins = new FtpSettings.LoginLimits(1000, 60, 1, 1, Duration.ofSeconds(30));
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build(), users.authenticator());
        RawControl guesser = new RawControl(gw.port(), SourceAddresses.address(1))) {
      guesser.reply();
      // Three checked failures, each once the pause before it ended: a pause of 4 s, which the
      // attempt below needs only milliseconds of, however slow the machine.
      for (int i = 0; i < 3; i++) {
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> guesser.login("alice", "guess").equals("530 Login incorrect"));
      }
      users.close();
      try (RawControl stranger = new RawControl(gw.port(), SourceAddresses.address(2))) {
        int checked = users.checks();
        stranger.socket().setSoTimeout(10_000);
        stranger.reply();
        assertThat(stranger.login("alice", "another guess"))
            .isEqualTo("530 Too many failed logins for this user name, try again later");
        assertThat(users.checks()).as("password checks during the pause").isEqualTo(checked);
        assertThat(users.waiting()).isZero();
      } finally {
        users.open();
      }
    }
  }

  @Test
  void aLoginThatWaitedLongerThanTheQueueTimeoutIsToldTheServiceIsBusy() throws Exception {
    SourceAddresses.assumeAvailable();
    Duration queueTimeout = Duration.ofMillis(50);
    GatedFileAuthenticator users =
        new GatedFileAuthenticator(
            dir.resolve("users.yaml"), TestUsers.PASSWORD, "alice", "bob", "carol");
    MeterRegistry meters = new SimpleMeterRegistry();
    try (GatewayUnderTest gw = start(users, new SettingsBuilder(), queueTimeout, meters);
        RawControl holder = new RawControl(gw.port());
        // Another address: it waits for the only check thread, not for its address's turn.
        RawControl late = new RawControl(gw.port(), SourceAddresses.address(3))) {
      holder.reply();
      late.reply();
      // The check thread started and idle, so the holder's own check is dispatched at once.
      try (RawControl first = new RawControl(gw.port())) {
        first.reply();
        assertThat(first.login("carol")).startsWith("230");
      }
      users.close();
      holder.send("USER alice");
      holder.sendOnly("PASS " + TestUsers.PASSWORD);
      await().atMost(Duration.ofSeconds(10)).until(() -> users.waiting() == 1);
      late.send("USER bob");
      late.sendOnly("PASS " + TestUsers.PASSWORD);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> meters.get("dropzone.ftp.password.checks.queued").gauge().value() == 1);
      // Queued before this instant: once the timeout has passed since, it has waited longer.
      long queuedBy = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> System.nanoTime() - queuedBy > queueTimeout.toNanos());
      users.open();
      assertThat(holder.reply()).startsWith("230");
      assertThat(late.reply())
          .as("its check thread came free only after the queue timeout")
          .isEqualTo("421 Login service busy, try again later");
      assertThat(late.reply()).as("then the connection is closed").isNull();
    }
  }

  @Test
  void aRememberedPasswordIsAnsweredWhileTheCheckThreadIsBusyAndAWrongOneWaits() throws Exception {
    SourceAddresses.assumeAvailable();
    GatedFileAuthenticator users =
        new GatedFileAuthenticator(dir.resolve("users.yaml"), TestUsers.PASSWORD, "alice");
    try (GatewayUnderTest gw = start(users)) {
      try (RawControl first = new RawControl(gw.port())) {
        first.reply();
        assertThat(first.login("alice")).startsWith("230");
      }
      users.close();
      try (RawControl guesser = new RawControl(gw.port(), SourceAddresses.address(1))) {
        guesser.reply();
        guesser.send("USER mallory");
        guesser.sendOnly("PASS guess");
        await().atMost(Duration.ofSeconds(10)).until(() -> users.waiting() == 1);

        try (RawControl again = new RawControl(gw.port())) {
          // Needing the held thread, the login would wait for it: a timeout, not a hang.
          again.socket().setSoTimeout(10_000);
          again.reply();
          assertThat(again.login("alice"))
              .as("answered from memory while the only check thread is held")
              .startsWith("230");
          assertThat(again.send("NOOP")).startsWith("200");
        }

        try (RawControl wrong = new RawControl(gw.port(), SourceAddresses.address(2))) {
          wrong.reply();
          wrong.send("USER alice");
          wrong.sendOnly("PASS not the password");
          Thread.sleep(300);
          assertThat(wrong.socket().getInputStream().available())
              .as("a wrong password is never answered from memory: it waits for a check")
              .isZero();
          users.open();
          assertThat(wrong.reply()).isEqualTo("530 Login incorrect");
        }
        assertThat(guesser.reply()).isEqualTo("530 Login incorrect");
      }
    }
  }
}
