package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.ftp.events.FtpEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * USER refuses without closing the connection and says why, in the reply and in the audit log:
 * MINA's closed it after "anonymous" or a second name on a logged-in session, with nothing logged.
 */
class UserCommandTest {

  private static final List<FtpEvent> EVENTS = new CopyOnWriteArrayList<>();
  private static GatewayUnderTest gw;

  @BeforeAll
  static void startGateway() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    // Fewer than the anonymous attempts one test makes: were they counted, it would be banned.
    settings.maxLoginFailures = 3;
    gw = GatewayUnderTest.observed(settings.build(), EVENTS::add);
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @BeforeEach
  void forgetEvents() {
    EVENTS.clear();
  }

  @Test
  void anotherNameOnALoggedInSessionIsRefusedWithWhatToDoAndTheSessionCarriesOn() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.login("alice")).startsWith("230");

      assertThat(control.send("USER bob"))
          .isEqualTo(
              "530 Already logged in as alice; send REIN to log out before logging in as"
                  + " another user");
      assertThat(control.send("PWD")).isEqualTo("257 \"/\" is the current directory");
      assertThat(control.send("USER alice")).isEqualTo("230 Already logged in as alice");
      assertThat(control.send("PWD")).startsWith("257");

      assertThat(control.send("REIN")).startsWith("220");
      assertThat(control.login("bob")).startsWith("230");
      assertThat(control.send("PWD")).startsWith("257");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> events(FtpEvent.Refused.class).size() == 1);
    FtpEvent.Refused refused = events(FtpEvent.Refused.class).get(0);
    assertThat(refused.command()).isEqualTo("USER");
    assertThat(refused.path()).isEqualTo("bob");
    assertThat(refused.client().user()).isEqualTo("alice");
    assertThat(refused.answer().code()).isEqualTo(530);
    assertThat(refused.answer().reason()).isEqualTo("already_logged_in");
  }

  @Test
  void anonymousIsRefusedAtOnceAuditedNeverBannedAndTheClientMayLogInAfter() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.send("USER alice")).startsWith("331");
      // More than the failures that ban an address: anonymous attempts are not password guesses.
      for (int i = 0; i < 8; i++) {
        assertThat(control.send(i % 2 == 0 ? "USER anonymous" : "USER Anonymous"))
            .isEqualTo(
                "530 Anonymous logins are not allowed; log in with your user name and password");
      }
      assertThat(control.send("PASS " + TestUsers.PASSWORD))
          .as("the name before anonymous is forgotten")
          .startsWith("503");
      assertThat(control.send("USER nobody-here")).startsWith("331");
      assertThat(control.send("PASS whatever")).startsWith("530");
      assertThat(control.login("alice")).startsWith("230");
      assertThat(control.send("PWD")).startsWith("257");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> events(FtpEvent.Login.class).size() == 10);
    List<FtpEvent.Login> logins = events(FtpEvent.Login.class);
    assertThat(logins.subList(0, 8))
        .allSatisfy(
            login -> {
              assertThat(login.client().user()).isEqualToIgnoringCase("anonymous");
              assertThat(login.outcome()).isEqualTo(FtpEvent.LoginOutcome.FAILED);
              assertThat(login.detail()).isEqualTo("anonymous logins are not allowed");
            });
    assertThat(logins.subList(8, 10))
        .extracting(login -> login.client().user() + " " + login.outcome())
        .containsExactly("nobody-here FAILED", "alice OK");
  }

  @Test
  void spacesAroundANameAreNoPartOfIt() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      // MINA trims the line, not the argument: this arrives as " alice".
      assertThat(control.send("USER   alice")).isEqualTo("331 Password required for alice");
      assertThat(control.send("PASS " + TestUsers.PASSWORD)).isEqualTo("230 Logged in as alice");
    }
  }

  @Test
  void userWithoutANameIsASyntaxErrorAndPassThenHasNoName() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.send("USER")).isEqualTo("501 USER needs a user name");
      assertThat(control.send("PASS " + TestUsers.PASSWORD)).startsWith("503");
      assertThat(control.login("alice")).startsWith("230");
    }
  }

  private static <T extends FtpEvent> List<T> events(Class<T> type) {
    return EVENTS.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
