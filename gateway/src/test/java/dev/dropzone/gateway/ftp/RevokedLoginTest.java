package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.login.RevokedLogins;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An administrator who removes a user or changes their password or permissions locks out the
 * sessions already open, not only later logins: they get 421 within seconds, a transfer they were
 * running stores nothing, and everyone else carries on.
 */
class RevokedLoginTest {

  private static final String PASSWORD = "revocation password";
  private static final String NEW_PASSWORD = "rotated password";
  private static final String CHANGED =
      "changed in the users file (new password, home, fewer permissions or other scanning)";

  @TempDir static Path dir;
  private static UsersFile users;
  private static final List<FtpEvent> EVENTS = new CopyOnWriteArrayList<>();
  private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

  /** Long enough for at least one check of the logged-in sessions. */
  private static final Duration CHECK_AND_A_HALF =
      RevokedLogins.INTERVAL.plus(RevokedLogins.INTERVAL.dividedBy(2));

  private static GatewayUnderTest gw;
  private static String hash;

  @BeforeAll
  static void start() throws Exception {
    hash = PasswordHashes.hash(PASSWORD.toCharArray());
    users = new UsersFile(dir.resolve("users.yaml"));
    users.write(
        List.of(
            UserEntry.of("removed", hash),
            UserEntry.of("rotated", hash),
            UserEntry.of("narrowed", hash),
            UserEntry.of("kept", hash)));
    gw = GatewayUnderTest.start(new FileAuthenticator(users), EVENTS::add, METERS);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void sessionsOfRemovedOrChangedUsersAreEndedAndOthersCarryOn() throws Exception {
    FTPClient removed = gw.login("removed", PASSWORD);
    FTPClient narrowed = gw.login("narrowed", PASSWORD);
    FTPClient kept = gw.login("kept", PASSWORD);
    FTPClient added;
    try (RawControl rotated = new RawControl(gw.port())) {
      rotated.reply();
      assertThat(rotated.login("rotated", PASSWORD)).startsWith("230");
      String pasv = rotated.send("PASV");
      try (Socket data = new Socket("127.0.0.1", RawControl.port(pasv))) {
        assertThat(rotated.send("STOR half.bin")).startsWith("150");
        OutputStream out = data.getOutputStream();
        out.write(new byte[100_000]);
        out.flush();

        users.write(
            List.of(
                UserEntry.of("rotated", PasswordHashes.hash(NEW_PASSWORD.toCharArray())),
                new UserEntry("narrowed", hash, null, null, true),
                // More room is no reason to cut a session off: limits apply from the next login.
                new UserEntry("kept", hash, null, null, false, 5, null, null),
                UserEntry.of("added", hash)));
        long written = System.nanoTime();
        // Logged in at once, so its own login is what reads the changed file.
        added = gw.login("added", PASSWORD);

        // Within a check interval or two, whatever the session is doing.
        rotated.socket().setSoTimeout(20_000);
        assertThat(rotated.reply()).isEqualTo("421 Logged out: your account was " + CHANGED);
        // The README promises "within about 5 seconds": one check interval, with room for a slow
        // host, but not for a check that stopped running on time.
        assertThat(Duration.ofNanos(System.nanoTime() - written))
            .isLessThan(RevokedLogins.INTERVAL.multipliedBy(2).plusSeconds(2));
        data.close();
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(gw.objectKeys())
                    .doesNotContain(GatewayUnderTest.key("rotated", "half.bin"));
                assertThat(gw.pendingUploads()).isEmpty();
              });
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(closingReply(removed))
                    .startsWith("421 Logged out: your account was removed from the users file"));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(closingReply(narrowed))
                    .startsWith("421 Logged out: your account was changed in the users file"));

    // A user added to the file logs in and stays; so does the one given a higher limit, through
    // more than one check.
    await()
        .during(CHECK_AND_A_HALF)
        .atMost(CHECK_AND_A_HALF.multipliedBy(2))
        .until(() -> added.sendNoOp() && kept.sendNoOp());
    added.disconnect();
    // The new password and settings apply from now.
    assertThat(kept.sendNoOp()).isTrue();
    assertThat(kept.storeFile("still.txt", new ByteArrayInputStream(new byte[10]))).isTrue();
    kept.disconnect();
    FTPClient again = gw.connect();
    assertThat(again.login("rotated", PASSWORD)).isFalse();
    assertThat(again.login("rotated", NEW_PASSWORD)).isTrue();
    again.disconnect();
    FTPClient readOnly = gw.login("narrowed", PASSWORD);
    assertThat(readOnly.storeFile("x.txt", new ByteArrayInputStream(new byte[1]))).isFalse();
    assertThat(readOnly.getReplyCode()).isEqualTo(550);
    readOnly.disconnect();

    assertThat(
            EVENTS.stream()
                .filter(FtpEvent.LoginRevoked.class::isInstance)
                .map(FtpEvent.LoginRevoked.class::cast)
                .map(e -> e.client().user() + ": " + e.reason()))
        .containsExactlyInAnyOrderElementsOf(
            Set.of(
                "removed: removed from the users file",
                "rotated: " + CHANGED,
                "narrowed: " + CHANGED));
    assertThat(METERS.get("dropzone.ftp.logins.revoked").tag("backend", "file").counter().count())
        .isEqualTo(3);
  }

  /** The reply with which the server closed {@code client}'s session; null while it is open. */
  private static String closingReply(FTPClient client) throws Exception {
    try {
      client.sendNoOp();
      return null;
    } catch (FTPConnectionClosedException e) {
      return client.getReplyString();
    }
  }
}
