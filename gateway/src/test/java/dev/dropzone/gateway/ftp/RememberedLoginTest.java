package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.users.GatedFileAuthenticator;
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
    SettingsBuilder settings = new SettingsBuilder();
    settings.logins = new FtpSettings.LoginLimits(1000, 60, 1000, 1, Duration.ofSeconds(30));
    return GatewayUnderTest.start(settings.build(), users.authenticator());
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
