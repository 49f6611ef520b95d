package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.gateway.audit.Audit;
import dev.dropzone.gateway.audit.AuditSettings;
import dev.dropzone.gateway.audit.AuditTarget;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted FTP session leaves exactly one well-formed JSON line per action in the audit log, with
 * who, where and what, and never a password, key material or the S3 secret; transfers also go to
 * the xferlog.
 */
class AuditLogTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] CONTENT = "hello audit world".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private Path auditFile;
  private Path xferFile;
  private Audit audit;
  private GatewayUnderTest gateway;

  @BeforeEach
  void start() throws Exception {
    auditFile = dir.resolve("logs/audit.jsonl");
    xferFile = dir.resolve("xferlog");
    audit = Audit.open(new AuditSettings(new AuditTarget.File(auditFile), xferFile));
    gateway = GatewayUnderTest.start(audit.events());
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    audit.close();
  }

  @Test
  void aScriptedSessionLeavesOneLinePerActionAndNoSecret() throws Exception {
    FTPClient guesser = gateway.connect();
    assertThat(guesser.login("alice", "not the password")).isFalse();
    guesser.disconnect();

    FTPClient alice = gateway.login("alice");
    assertThat(alice.makeDirectory("/in")).isTrue();
    assertThat(alice.storeFile("/in/a.txt", new ByteArrayInputStream(CONTENT))).isTrue();
    Map<String, String> metadata =
        gateway
            .rawClient()
            .headObject(
                b ->
                    b.bucket(GatewayUnderTest.BUCKET)
                        .key(GatewayUnderTest.key("alice", "in/a.txt")))
            .metadata();
    alice.setRestartOffset(6);
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    assertThat(alice.retrieveFile("/in/a.txt", tail)).isTrue();
    assertThat(tail.toString(StandardCharsets.UTF_8)).isEqualTo("audit world");
    assertThat(alice.rename("/in/a.txt", "/in/b.txt")).isTrue();
    assertThat(alice.deleteFile("/in/b.txt")).isTrue();
    assertThat(alice.removeDirectory("/in")).isTrue();
    alice.logout();
    alice.disconnect();

    List<JsonNode> lines = lines(e -> count(e, "session_close") == 2 && count(e, "rmdir") == 1);
    assertThat(lines)
        .extracting(l -> l.get("event").asText())
        .containsExactlyInAnyOrder(
            "session_open",
            "login",
            "session_close",
            "session_open",
            "login",
            "mkdir",
            "upload",
            "download",
            "rename",
            "delete",
            "rmdir",
            "session_close");
    for (JsonNode line : lines) {
      assertThat(Instant.parse(line.get("time").asText())).isBeforeOrEqualTo(Instant.now());
      assertThat(line.get("time").asText()).endsWith("Z");
      assertThat(line.get("address").asText()).isEqualTo("127.0.0.1");
      assertThat(line.get("session").asText()).matches("[0-9a-f-]{36}");
    }

    JsonNode failed = only(lines, "login", "failed");
    assertThat(failed.get("user").asText()).isEqualTo("alice");
    assertThat(failed.get("backend").asText()).isEqualTo("test");
    assertThat(failed.get("detail").asText()).isEqualTo("wrong user name or password");
    JsonNode ok = only(lines, "login", "ok");
    assertThat(ok.get("backend").asText()).isEqualTo("test");
    assertThat(ok.get("session").asText()).isNotEqualTo(failed.get("session").asText());

    JsonNode upload = only(lines, "upload", "ok");
    assertThat(upload.get("user").asText()).isEqualTo("alice");
    assertThat(upload.get("session").asText()).isEqualTo(ok.get("session").asText());
    assertThat(upload.get("command").asText()).isEqualTo("STOR");
    assertThat(upload.get("path").asText()).isEqualTo("/in/a.txt");
    assertThat(upload.get("bytes").asLong()).isEqualTo(CONTENT.length);
    assertThat(upload.get("offset").asLong()).isZero();
    assertThat(upload.get("code").asInt()).isEqualTo(226);
    assertThat(upload.get("duration_ms").asDouble()).isPositive();
    assertThat(upload.get("first_byte_ms").asDouble())
        .isBetween(0.0, upload.get("duration_ms").asDouble());
    assertThat(upload.get("sha256").asText())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CONTENT)));

    JsonNode download = only(lines, "download", "ok");
    assertThat(download.get("command").asText()).isEqualTo("RETR");
    assertThat(download.get("path").asText()).isEqualTo("/in/a.txt");
    assertThat(download.get("offset").asLong()).isEqualTo(6);
    assertThat(download.get("bytes").asLong()).isEqualTo(CONTENT.length - 6);
    assertThat(download.get("code").asInt()).isEqualTo(226);
    assertThat(download.has("sha256")).isFalse();

    JsonNode rename = only(lines, "rename", "ok");
    assertThat(rename.get("from").asText()).isEqualTo("/in/a.txt");
    assertThat(rename.get("to").asText()).isEqualTo("/in/b.txt");
    assertThat(only(lines, "delete", "ok").get("path").asText()).isEqualTo("/in/b.txt");
    assertThat(only(lines, "mkdir", "ok").get("code").asInt()).isEqualTo(257);
    assertThat(only(lines, "rmdir", "ok").get("path").asText()).isEqualTo("/in");
    assertThat(lines)
        .filteredOn(l -> l.get("event").asText().equals("session_close"))
        .allSatisfy(l -> assertThat(l.get("duration_ms").asLong()).isNotNegative());

    String raw = Files.readString(auditFile);
    assertThat(raw)
        .doesNotContain(TestUsers.PASSWORD)
        .doesNotContain("not the password")
        .doesNotContain(S3ProxyFixture.SECRET_KEY);
    assertThat(metadata).isNotEmpty();
    metadata.values().stream()
        .filter(value -> value.length() >= 16)
        .forEach(keyMaterial -> assertThat(raw).doesNotContain(keyMaterial));

    List<String> xfer = Files.readAllLines(xferFile);
    assertThat(xfer).hasSize(2);
    assertThat(xfer.get(0))
        .matches(
            "\\w{3} \\w{3} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4} \\d+ 127\\.0\\.0\\.1 17"
                + " /in/a\\.txt b _ i r alice ftp 0 \\* c");
    assertThat(xfer.get(1))
        .matches(
            "\\w{3} \\w{3} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4} \\d+ 127\\.0\\.0\\.1 11"
                + " /in/a\\.txt b _ o r alice ftp 0 \\* c");
  }

  @Test
  void refusalsSayWhyInTheirOwnLine() throws Exception {
    FTPClient reader = gateway.login("reader");
    assertThat(reader.storeFile("/x.txt", new ByteArrayInputStream(CONTENT))).isFalse();
    assertThat(reader.sendCommand("RNFR", "/x.txt")).isEqualTo(550);
    reader.disconnect();

    List<JsonNode> lines = lines(e -> count(e, "session_close") == 1 && count(e, "refused") == 1);
    JsonNode upload = only(lines, "upload", "refused");
    assertThat(upload.get("reason").asText()).isEqualTo("access_denied");
    assertThat(upload.get("code").asInt()).isEqualTo(550);
    assertThat(upload.get("bytes").asLong()).isZero();
    JsonNode refused = only(lines, "refused", "refused");
    assertThat(refused.get("command").asText()).isEqualTo("RNFR");
    assertThat(refused.get("path").asText()).isEqualTo("/x.txt");
    assertThat(refused.get("reason").asText()).isEqualTo("access_denied");
    assertThat(refused.get("user").asText()).isEqualTo("reader");
    assertThat(Files.readAllLines(xferFile)).isEmpty();
  }

  @Test
  void controlCharactersInANameStayInsideTheirLineAndComeBackIntact() throws Exception {
    FTPClient alice = gateway.login("alice");
    String hostile = "evil\u001b[31m\" forged=\"x";
    assertThat(alice.sendCommand("MKD", hostile)).isEqualTo(553);
    alice.disconnect();

    List<JsonNode> lines = lines(e -> count(e, "session_close") == 1 && count(e, "mkdir") == 1);
    JsonNode mkdir = only(lines, "mkdir", "refused");
    assertThat(mkdir.get("path").asText()).isEqualTo(hostile);
    assertThat(mkdir.get("reason").asText()).isEqualTo("invalid_path");
    String raw = Files.readString(auditFile);
    assertThat(raw.lines()).hasSize(lines.size());
    assertThat(raw).doesNotContain("\u001b").contains("evil\\u001B[31m\\\" forged=\\\"x");
  }

  private List<JsonNode> lines(java.util.function.Predicate<List<JsonNode>> complete) {
    List<List<JsonNode>> seen = new ArrayList<>();
    await()
        .until(
            () -> {
              List<JsonNode> now = parse();
              seen.add(0, now);
              return complete.test(now);
            });
    return seen.get(0);
  }

  private List<JsonNode> parse() throws IOException {
    if (!Files.exists(auditFile)) {
      return List.of();
    }
    List<JsonNode> parsed = new ArrayList<>();
    for (String line : Files.readAllLines(auditFile)) {
      JsonNode node = JSON.readTree(line);
      assertThat(node.isObject()).as(line).isTrue();
      parsed.add(node);
    }
    return parsed;
  }

  private static long count(List<JsonNode> lines, String event) {
    return lines.stream().filter(l -> l.get("event").asText().equals(event)).count();
  }

  private static JsonNode only(List<JsonNode> lines, String event, String result) {
    List<JsonNode> matching =
        lines.stream()
            .filter(l -> l.get("event").asText().equals(event))
            .filter(l -> l.get("result").asText().equals(result))
            .toList();
    assertThat(matching).as(event + " " + result + " in " + lines).hasSize(1);
    return matching.get(0);
  }
}
