package dev.dropzone.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names that no FTP command line can carry (CR, LF) but a stored object may: each audit and xferlog
 * line stays one line, with nothing a terminal would act on.
 */
class AuditLinesTest {

  private static final String HOSTILE = "a\r\nforged\u001b[2J\u009b31m\u0085\u2028\u2029\u007f\tb";

  @TempDir Path dir;

  @Test
  void everyControlCharacterIsEscapedAndTheValueComesBackIntact() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog log = AuditLog.open(new AuditTarget.File(file))) {
      new FtpAudit(log).on(download(HOSTILE));
    }

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(1);
    String line = lines.get(0);
    assertThat(line.chars()).allMatch(c -> c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f));
    assertThat(line).doesNotContain("\u2028").doesNotContain("\u2029");
    assertThat(new ObjectMapper().readTree(line).get("path").asText()).isEqualTo("/" + HOSTILE);
    assertThat(line)
        .startsWith(
            "{\"time\":\"2026-12-05T06:00:00Z\",\"event\":\"download\",\"session\":\"s-1\"");
  }

  @Test
  void aBurstOfRefusalsIsOneLineWithItsCountAndAQuietRefusalNone() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    Instant since = Instant.parse("2026-12-05T06:00:00Z");
    FtpEvent.Client network = new FtpEvent.Client(null, "2001:db8:0:0:0:0:0:0/64", null, null);
    try (AuditLog log = AuditLog.open(new AuditTarget.File(file))) {
      FtpAudit audit = new FtpAudit(log);
      FtpEvent.Client client = new FtpEvent.Client("s-1", "2001:db8::7", null, null);
      audit.on(new FtpEvent.ConnectionRefused(since, client, "banned", true));
      audit.on(new FtpEvent.ConnectionRefused(since.plusMillis(5), client, "banned", false));
      audit.on(
          new FtpEvent.RefusalsSummarized(since.plusSeconds(60), network, "banned", 4_321, since));
    }

    List<String> lines = Files.readAllLines(file);
    assertThat(lines)
        .containsExactly(
            "{\"time\":\"2026-12-05T06:00:00Z\",\"event\":\"connection_refused\",\"session\":\"s-1\","
                + "\"user\":null,\"backend\":null,\"address\":\"2001:db8::7\",\"reason\":\"banned\"}",
            "{\"time\":\"2026-12-05T06:01:00Z\",\"event\":\"connections_refused\",\"session\":null,"
                + "\"user\":null,\"backend\":null,\"address\":\"2001:db8:0:0:0:0:0:0/64\","
                + "\"reason\":\"banned\",\"count\":4321,\"since\":\"2026-12-05T06:00:00Z\"}");
  }

  @Test
  void aTakenBackLoginNamesItsUserAndWhy() throws Exception {
    Path file = dir.resolve("revoked.jsonl");
    try (AuditLog log = AuditLog.open(new AuditTarget.File(file))) {
      new FtpAudit(log)
          .on(
              new FtpEvent.LoginRevoked(
                  Instant.parse("2026-12-05T06:00:00Z"),
                  new FtpEvent.Client("s-1", "192.0.2.7", "alice", "file"),
                  "removed from the users file"));
    }

    assertThat(Files.readAllLines(file))
        .containsExactly(
            "{\"time\":\"2026-12-05T06:00:00Z\",\"event\":\"login_revoked\",\"session\":\"s-1\","
                + "\"user\":\"alice\",\"backend\":\"file\",\"address\":\"192.0.2.7\","
                + "\"reason\":\"removed from the users file\"}");
  }

  @Test
  void anXferlogNameIsOneTokenWithoutControlCharacters() {
    String line = XferLog.line(download(HOSTILE));

    assertThat(line)
        .isEqualTo(
            "Sat Dec  5 06:00:00 2026 2 192.0.2.7 42 /a__forged_[2J_31m_____b b _ o r bob ftp 0 * i");
  }

  @Test
  void aNewAuditFileIsReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("sub/audit.jsonl");
    try (AuditLog log = AuditLog.open(new AuditTarget.File(file))) {
      log.record(Instant.EPOCH, "test", line -> {});
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void targetsAreParsedFromTheirConfigurationText() {
    assertThat(AuditTarget.parse("off", dir)).isInstanceOf(AuditTarget.Off.class);
    assertThat(AuditTarget.parse("", dir)).isInstanceOf(AuditTarget.Off.class);
    assertThat(AuditTarget.parse("stdout", dir)).isInstanceOf(AuditTarget.Stdout.class);
    assertThat(AuditTarget.parse("stderr", dir)).isInstanceOf(AuditTarget.Stderr.class);
    assertThat(AuditTarget.parse("logs/audit.jsonl", dir))
        .isEqualTo(new AuditTarget.File(dir.resolve("logs/audit.jsonl")));
  }

  private static FtpEvent.Transferred download(String name) {
    return new FtpEvent.Transferred(
        Instant.parse("2026-12-05T06:00:00Z"),
        new FtpEvent.Client("s-1", "192.0.2.7", "bob", "ldap"),
        "RETR",
        FtpEvent.Direction.DOWNLOAD,
        "/" + name,
        0,
        42,
        Duration.ofMillis(1600),
        Duration.ofMillis(3),
        new FtpEvent.Answer(426, "Transfer aborted: data connection closed", "data_connection"),
        null);
  }
}
