package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.dropzone.gateway.LogCapture;
import dev.dropzone.gateway.ftp.connection.DroppedConnections;
import dev.dropzone.gateway.testing.ResettingClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A client that resets its control connection (killed, or a raw socket closed with SO_LINGER 0)
 * ends its session quietly: one DEBUG line, no ERROR and no stack trace from MINA's FTP handler or
 * logging filter, and the server serves the next client as before.
 */
class DroppedConnectionTest {

  private static final List<String> MINA_LOGGERS =
      List.of(
          "org.apache.ftpserver.impl.DefaultFtpHandler",
          "org.apache.ftpserver.listener.nio.FtpLoggingFilter");

  private SimpleMeterRegistry meters;
  private GatewayUnderTest gateway;
  private Level level;

  @BeforeEach
  void start() throws Exception {
    meters = new SimpleMeterRegistry();
    gateway = GatewayUnderTest.start(event -> {}, meters);
    Logger logger = (Logger) LoggerFactory.getLogger(DroppedConnections.class);
    level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
  }

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(DroppedConnections.class)).setLevel(level);
    gateway.close();
  }

  @Test
  void aResetBeforeOrAfterLoginEndsTheSessionWithOneDebugLine() throws Exception {
    try (LogCapture handler = LogCapture.of(MINA_LOGGERS.get(0));
        LogCapture logging = LogCapture.of(MINA_LOGGERS.get(1));
        LogCapture dropped = LogCapture.of(DroppedConnections.class)) {
      ResettingClient.resetAfter(gateway.port());
      ResettingClient.resetAfter(gateway.port(), "USER alice", "PASS " + TestUsers.PASSWORD, "PWD");

      await().until(() -> openConnections() == 0);
      // MINA's I/O thread counts a session closed while the reset that ended it may still wait
      // for the session's executor thread, which writes the DEBUG line (and would run MINA's
      // handler): the log is complete only once both lines are there.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(dropped.lines())
                      .hasSize(2)
                      .allMatch(
                          line -> line.startsWith("DEBUG Control connection of 127.0.0.1 broke")));
      assertThat(handler.lines()).isEmpty();
      assertThat(logging.lines()).noneMatch(line -> line.startsWith("WARN"));
    }
    FTPClient next = gateway.login("alice");
    assertThat(next.printWorkingDirectory()).isEqualTo("/");
    next.disconnect();
  }

  private double openConnections() {
    return meters.get("dropzone.ftp.connections.open").gauge().value();
  }
}
