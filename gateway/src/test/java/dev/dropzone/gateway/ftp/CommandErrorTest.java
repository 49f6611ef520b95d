package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.store.testing.TestKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * An {@link Error} in one session's command or transfer (an {@link OutOfMemoryError} under memory
 * pressure) used to kill MINA's command worker without releasing the session's event queue: that
 * client got no reply and its connection was never closed. Now it is answered and closed, and every
 * other session, the command and transfer threads and new connections carry on.
 */
class CommandErrorTest {

  @Test
  void anErrorInOneSessionsCommandAnswersAndClosesThatSessionOnly() throws Exception {
    Authenticator users =
        (name, password) -> {
          if (name.equals("exhausted")) {
            throw new OutOfMemoryError("simulated: Java heap space");
          }
          return new TestUsers().authenticate(name, password);
        };
    SettingsBuilder settings = new SettingsBuilder();
    // One command thread for all sessions: the error must not take it away.
    settings.maxThreads = 1;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build(), users);
        RawControl alice = new RawControl(gw.port())) {
      alice.reply();
      assertThat(alice.login("alice")).startsWith("230");
      for (int i = 0; i < 3; i++) {
        try (RawControl victim = new RawControl(gw.port())) {
          victim.socket().setSoTimeout(60_000);
          assertThat(victim.reply()).startsWith("220");
          assertThat(victim.send("USER exhausted")).startsWith("331");
          assertThat(victim.send("PASS anything")).startsWith("421 Internal server error");
          assertThat(victim.reply()).as("the connection is closed").isNull();
        }
      }
      assertThat(alice.send("NOOP")).startsWith("200");
      try (RawControl next = new RawControl(gw.port())) {
        assertThat(next.reply()).startsWith("220");
        assertThat(next.login("bob")).startsWith("230");
      }
    }
  }

  @Test
  void anErrorInATransferAnswersAndClosesThatSessionAndFreesItsTransferSlot() throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    // One transfer slot: a slot the failed transfers kept would refuse every later one with 450.
    settings.maxTransfers = 1;
    settings.maxThreads = 1;
    try (GatewayUnderTest gw = GatewayUnderTest.start(settings.build(), store -> new Exhausted())) {
      for (int i = 0; i < 3; i++) {
        try (RawControl bob = new RawControl(gw.port())) {
          bob.socket().setSoTimeout(60_000);
          bob.reply();
          assertThat(bob.login("bob")).startsWith("230");
          bob.send("TYPE I");
          try (Socket data = bob.passive()) {
            assertThat(bob.send("STOR lost-" + i + ".bin")).startsWith("421 Internal server error");
            assertThat(bob.reply()).as("the connection is closed").isNull();
          }
        }
      }
      FTPClient alice = gw.login("alice");
      byte[] content = Content.bytes(17, 3 << 20);
      assertThat(alice.storeFile("after.bin", new ByteArrayInputStream(content)))
          .as(alice.getReplyString())
          .isTrue();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      assertThat(alice.retrieveFile("after.bin", back)).as(alice.getReplyString()).isTrue();
      assertThat(back.toByteArray()).isEqualTo(content);
      alice.disconnect();
      assertThat(gw.objectKeys()).noneMatch(key -> key.contains("/lost-"));
      assertThat(gw.pendingUploads()).isEmpty();
    }
  }

  /**
   * Test keys whose allocation fails for bob's uploads, as an allocation under memory pressure
   * would, on the transfer thread (his login's key warm-up, on a command thread, still works).
   */
  private static final class Exhausted implements DataKeys {
    private final TestKeys keys = new TestKeys();

    @Override
    public CompletableFuture<UserKey> forWriting(KeyOwner owner) {
      if (owner.user().equals("bob")
          && Thread.currentThread().getName().startsWith("dz-transfer-")) {
        throw new OutOfMemoryError("simulated: Java heap space");
      }
      return keys.forWriting(owner);
    }

    @Override
    public CompletableFuture<DataKey> forReading(WrappedKey key, KeyBinding binding) {
      return keys.forReading(key, binding);
    }
  }
}
