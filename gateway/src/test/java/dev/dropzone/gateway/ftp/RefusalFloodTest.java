package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.gateway.LogCapture;
import dev.dropzone.gateway.audit.Audit;
import dev.dropzone.gateway.audit.AuditSettings;
import dev.dropzone.gateway.audit.AuditTarget;
import dev.dropzone.gateway.ftp.connection.AdmissionFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that reconnects as fast as it is refused, as a raw socket would: every refusal is
 * answered and counted, but the diagnostic and audit logs get one line for the burst, not one per
 * attempt, so the flood cannot fill the disk (the summary of the rest is {@code
 * RefusalReportsTest}'s).
 */
class RefusalFloodTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FLOOD = 200;

  @TempDir Path dir;
  private Path auditFile;
  private Audit audit;
  private SimpleMeterRegistry meters;
  private GatewayUnderTest gateway;

  @BeforeEach
  void start() throws Exception {
    auditFile = dir.resolve("audit.jsonl");
    audit = Audit.open(new AuditSettings(new AuditTarget.File(auditFile), null));
    meters = new SimpleMeterRegistry();
    gateway = GatewayUnderTest.start(audit.events(), meters);
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    audit.close();
  }

  /** Stops the gateway, which writes the summaries still counting: every line is then written. */
  private List<JsonNode> linesAtStop() throws Exception {
    await().until(() -> meters.get("dropzone.ftp.connections.open").gauge().value() == 0);
    gateway.close();
    gateway = null;
    return parse();
  }

  @Test
  void aFloodOfRefusedConnectionsIsAnsweredAndCountedButLoggedOnce() throws Exception {
    List<Socket> waiting = new ArrayList<>();
    try (LogCapture log = LogCapture.of(AdmissionFilter.class)) {
      // Connections that never log in, until this address's share of the server is full.
      String greeting;
      do {
        Socket socket = new Socket("127.0.0.1", gateway.port());
        waiting.add(socket);
        greeting = firstLine(socket);
      } while (greeting.startsWith("220") && waiting.size() < 100);
      assertThat(greeting).startsWith("421 Too many connections from your address");

      for (int i = 1; i < FLOOD; i++) {
        try (Socket refused = new Socket("127.0.0.1", gateway.port())) {
          assertThat(firstLine(refused)).startsWith("421 Too many connections from your address");
        }
      }

      assertThat(refusedCount()).as("the metric counts every refusal").isEqualTo(FLOOD);
      for (Socket socket : waiting) {
        socket.close();
      }
      List<JsonNode> lines = linesAtStop();
      assertThat(count(lines, "connection_refused")).isEqualTo(1);
      assertThat(lines)
          .filteredOn(l -> l.get("event").asText().equals("connections_refused"))
          .singleElement()
          .satisfies(l -> assertThat(l.get("count").asLong()).isEqualTo(FLOOD - 1));
      // The sessions that waited and never logged in: the first whole, the rest counted.
      assertThat(count(lines, "session_open")).isEqualTo(1);
      assertThat(count(lines, "session_close")).isEqualTo(1);
      assertThat(lines)
          .filteredOn(l -> l.get("event").asText().equals("empty_sessions"))
          .singleElement()
          .satisfies(l -> assertThat(l.get("count").asLong()).isEqualTo(waiting.size() - 2));
      assertThat(log.lines().stream().filter(l -> l.contains("Refused connection from")))
          .hasSize(1);
    }
  }

  /**
   * A client that connects and closes or resets in a loop is admitted every time: each connection
   * is counted, but only the first of a minute is audited on its own, so the loop cannot fill the
   * disk; a session that does something in between is audited whole.
   */
  @Test
  void aFloodOfConnectionsThatDoNothingIsCountedButAuditedOnce() throws Exception {
    for (int i = 0; i < FLOOD; i++) {
      try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
        if (i % 2 == 0) {
          assertThat(firstLine(socket)).startsWith("220");
        } else {
          socket.setSoLinger(true, 0);
        }
      }
      if (i == FLOOD / 2) {
        gateway.login("alice").disconnect();
      }
    }
    await()
        .untilAsserted(
            () ->
                assertThat(meters.get("dropzone.ftp.connections").counter().count())
                    .isEqualTo(FLOOD + 1));

    List<JsonNode> lines = linesAtStop();
    assertThat(lines)
        .extracting(l -> l.get("event").asText())
        .containsExactly(
            "session_open",
            "session_close",
            "session_open",
            "login",
            "session_close",
            "empty_sessions");
    assertThat(lines.get(2).get("session")).isEqualTo(lines.get(4).get("session"));
    assertThat(lines.get(3).get("user").asText()).isEqualTo("alice");
    JsonNode summary = lines.get(5);
    assertThat(summary.get("count").asLong()).isEqualTo(FLOOD - 1);
    assertThat(summary.get("address").asText()).isEqualTo("127.0.0.1");
    assertThat(summary.get("session").isNull()).isTrue();
  }

  private double refusedCount() {
    return meters.find("dropzone.ftp.connections.refused").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static String firstLine(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    return new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
        .readLine();
  }

  private List<JsonNode> parse() throws IOException {
    List<JsonNode> parsed = new ArrayList<>();
    if (Files.exists(auditFile)) {
      for (String line : Files.readAllLines(auditFile)) {
        parsed.add(JSON.readTree(line));
      }
    }
    return parsed;
  }

  private static long count(List<JsonNode> lines, String event) {
    return lines.stream().filter(l -> l.get("event").asText().equals(event)).count();
  }
}
