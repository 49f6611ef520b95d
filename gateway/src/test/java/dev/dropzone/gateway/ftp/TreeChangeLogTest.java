package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every command that changes the tree leaves exactly one line, with hostile input escaped. */
class TreeChangeLogTest {

  private static GatewayUnderTest gateway;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger changes = (Logger) LoggerFactory.getLogger("dev.dropzone.gateway.changes");
  private FTPClient alice;

  @BeforeAll
  static void start() throws Exception {
    gateway = GatewayUnderTest.start();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @BeforeEach
  void connect() throws Exception {
    log.start();
    changes.addAppender(log);
    alice = gateway.login("alice");
  }

  @AfterEach
  void disconnect() throws Exception {
    changes.detachAppender(log);
    alice.disconnect();
  }

  @Test
  void eachChangeIsOneInfoLineWithUserAddressPathAndResult() throws Exception {
    assertThat(alice.makeDirectory("/logged")).isTrue();
    assertThat(alice.storeFile("/logged/a.txt", new ByteArrayInputStream(new byte[10]))).isTrue();
    assertThat(alice.appendFile("/logged/a.txt", new ByteArrayInputStream(new byte[5]))).isTrue();
    assertThat(alice.rename("/logged/a.txt", "/logged/b.txt")).isTrue();
    assertThat(alice.deleteFile("/logged/b.txt")).isTrue();
    assertThat(alice.removeDirectory("/logged")).isTrue();
    assertThat(alice.deleteFile("/logged/never.txt")).isFalse();

    assertThat(lines(7))
        .containsExactly(
            "user=alice address=127.0.0.1 command=MKD path=\"/logged\""
                + " result=\"257 \\\"/logged\\\" created\"",
            "user=alice address=127.0.0.1 command=STOR path=\"/logged/a.txt\""
                + " result=\"226 Transfer complete: 10 bytes stored\"",
            "user=alice address=127.0.0.1 command=APPE path=\"/logged/a.txt\""
                + " result=\"226 Transfer complete: 15 bytes stored\"",
            "user=alice address=127.0.0.1 command=RNTO path=\"/logged/a.txt\""
                + " to=\"/logged/b.txt\" result=\"250 Renamed /logged/a.txt to /logged/b.txt\"",
            "user=alice address=127.0.0.1 command=DELE path=\"/logged/b.txt\""
                + " result=\"250 Deleted /logged/b.txt\"",
            "user=alice address=127.0.0.1 command=RMD path=\"/logged\""
                + " result=\"250 Removed /logged\"",
            "user=alice address=127.0.0.1 command=DELE path=\"/logged/never.txt\""
                + " result=\"550 No such file or directory: /logged/never.txt\"");
    assertThat(events()).allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.INFO));
  }

  @Test
  void aStoreUniqueNamesTheFileItMade() throws Exception {
    assertThat(alice.storeUniqueFile(new ByteArrayInputStream(new byte[3]))).isTrue();

    assertThat(lines(1))
        .singleElement()
        .asString()
        .matches(
            "user=alice address=127\\.0\\.0\\.1 command=STOU path=\"/(upload\\.[0-9a-f]{8})\""
                + " result=\"226 Transfer complete \\(unique file name: \\1\\):"
                + " 3 bytes stored\"");
  }

  @Test
  void anUploadIsLoggedWithItsOwnFinalReplyNotWhatWasSentBesideIt() throws Exception {
    try (RawControl control = new RawControl(gateway.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("PASV")).startsWith("227");
      assertThat(control.send("STOR cut.bin")).startsWith("150");
      // STAT and ABOR are answered while the upload runs; the line is the upload's.
      assertThat(control.send("STAT")).startsWith("213");
      control.sendOnly("ABOR");
      assertThat(control.reply()).startsWith("426 Transfer aborted");
      assertThat(control.reply()).startsWith("226");
    }

    assertThat(lines(1))
        .singleElement()
        .asString()
        .startsWith(
            "user=alice address=127.0.0.1 command=STOR path=\"/cut.bin\""
                + " result=\"426 Transfer aborted: aborted by the client (ABOR)");
  }

  @Test
  void controlCharactersAndQuotesFromTheClientAreEscaped() throws Exception {
    alice.sendCommand("MKD", "evil\u001b[31m\" forged=\"x\u0085");

    assertThat(lines(1))
        .singleElement()
        .asString()
        .startsWith(
            "user=alice address=127.0.0.1 command=MKD"
                + " path=\"evil\\u001b[31m\\\" forged=\\\"x\\u0085\" result=\"553 ")
        .doesNotContain("\u001b")
        .doesNotContain("\u0085");
  }

  /** The lines once {@code count} have come: a line follows its reply, which the client has. */
  private List<String> lines(int count) {
    await().until(() -> events().size() >= count);
    return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** A copy of what was logged so far (appenders are written to from the server's threads). */
  private List<ILoggingEvent> events() {
    synchronized (log) {
      return new java.util.ArrayList<>(log.list);
    }
  }
}
