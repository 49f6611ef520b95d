package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.scan.ClamdAddress;
import dev.dropzone.gateway.scan.ClamdFixture;
import dev.dropzone.gateway.scan.ScanSettings;
import dev.dropzone.gateway.scan.ScanSettings.Fallback;
import dev.dropzone.gateway.scan.UploadScanning;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Uploads scanned by a real clamd (its own two-signature database: a body signature and a YARA
 * rule), through the real FTP server: clean files are stored, matches anywhere in a file are
 * refused with 550 and leave neither an object nor a pending multipart upload.
 */
class ScanningThroughFtpTest {

  private static final long MIB = 1L << 20;

  /** Plaintext bytes in the first 1 MiB ciphertext segment (1 MiB − header − tag). */
  private static final long FIRST_SEGMENT = MIB - 56;

  @TempDir static Path dir;
  private static ClamdFixture clamd;
  private static UploadScanning scanning;
  private static GatewayUnderTest gateway;
  private static ScanLogLines log;

  @BeforeAll
  static void start() throws Exception {
    clamd = ClamdFixture.start(dir, 64 * MIB);
    scanning =
        UploadScanning.start(
            settings(
                clamd.tcp(), 64 * MIB, Fallback.REFUSE, Fallback.REFUSE, Duration.ofSeconds(60)));
    gateway = GatewayUnderTest.start(new ScanUsers(), scanning);
    log = new ScanLogLines();
  }

  @AfterAll
  static void stop() throws Exception {
    log.close();
    gateway.close();
    scanning.close();
    clamd.close();
  }

  @AfterEach
  void nothingPending() {
    assertThat(gateway.pendingUploads()).isEmpty();
    log.clear();
  }

  @Test
  void aCleanFileIsStoredAndDownloadsIdentical() throws Exception {
    FTPClient alice = gateway.login("alice");
    long size = 5 * MIB + 123;
    assertThat(alice.storeFile("clean.bin", Content.random(1, size)))
        .as(alice.getReplyString())
        .isTrue();
    assertThat(download(alice, "clean.bin")).isEqualTo(Content.sha256(1, size));
    assertThat(log.lines())
        .anySatisfy(line -> assertThat(line).startsWith("Scan clean: alice /clean.bin"));
    alice.disconnect();
  }

  static List<Arguments> matches() {
    List<Arguments> cases = new java.util.ArrayList<>();
    for (Signature signature : Signature.values()) {
      int half = signature.marker.length / 2;
      cases.add(Arguments.of(signature, "at the start", 2 * MIB, 0L));
      cases.add(Arguments.of(signature, "in the middle of 50 MiB", 50 * MIB, 25 * MIB));
      cases.add(
          Arguments.of(
              signature, "across the first segment boundary", 3 * MIB, FIRST_SEGMENT - half));
      cases.add(Arguments.of(signature, "across the 1 MiB mark", 3 * MIB, MIB - half));
    }
    return cases;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("matches")
  void aMatchAnywhereIsRefusedAndNothingIsStored(
      Signature signature, String where, long size, long at) throws Exception {
    FTPClient alice = gateway.login("alice");
    String name = "match-" + signature + "-" + at + ".bin";
    int reply =
        UploadClient.storeUntilRefused(alice, name, withMarker(7, size, at, signature.marker));
    assertThat(reply).as(alice.getReplyString()).isEqualTo(550);
    assertThat(alice.getReplyString())
        .contains("malware found (" + signature.name + ")")
        .contains("nothing was stored");
    assertThat(gateway.objectKeys()).doesNotContain(GatewayUnderTest.key("alice", name));
    assertThat(gateway.pendingUploads()).isEmpty();
    assertThat(alice.listNames()).doesNotContain(name);
    assertThat(log.lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith(
                        "Scan FOUND " + signature.name + ": upload of /" + name + " by alice"));
    alice.disconnect();
  }

  @Test
  void aSignatureSplitAcrossAnAppendIsFoundAndTheFileStaysAsItWas() throws Exception {
    FTPClient alice = gateway.login("alice");
    byte[] marker = ClamdFixture.BODY_MARKER;
    int half = marker.length / 2;
    byte[] first = concat(Content.bytes(11, (int) (2 * MIB)), Arrays.copyOf(marker, half));
    assertThat(alice.storeFile("split.bin", new ByteArrayInputStream(first)))
        .as(alice.getReplyString())
        .isTrue();
    byte[] rest = concat(Arrays.copyOfRange(marker, half, marker.length), Content.bytes(12, 1000));

    assertThat(alice.appendFile("split.bin", new ByteArrayInputStream(rest))).isFalse();

    assertThat(alice.getReplyCode()).isEqualTo(550);
    assertThat(alice.getReplyString()).contains(ClamdFixture.BODY_SIGNATURE);
    assertThat(download(alice, "split.bin"))
        .isEqualTo(Content.sha256(new ByteArrayInputStream(first)));
    alice.disconnect();
  }

  @Test
  void cleanAppendsAndRestartsStoreTheWholeFile() throws Exception {
    FTPClient alice = gateway.login("alice");
    byte[] first = Content.bytes(21, (int) (3 * MIB));
    byte[] more = Content.bytes(22, 500_000);
    assertThat(alice.storeFile("grow.bin", new ByteArrayInputStream(first))).isTrue();
    assertThat(alice.appendFile("grow.bin", new ByteArrayInputStream(more)))
        .as(alice.getReplyString())
        .isTrue();
    assertThat(download(alice, "grow.bin"))
        .isEqualTo(Content.sha256(new ByteArrayInputStream(concat(first, more))));

    alice.setRestartOffset(MIB);
    assertThat(alice.storeFile("grow.bin", new ByteArrayInputStream(more)))
        .as(alice.getReplyString())
        .isTrue();
    assertThat(download(alice, "grow.bin"))
        .isEqualTo(
            Content.sha256(
                new ByteArrayInputStream(concat(Arrays.copyOf(first, (int) MIB), more))));
    alice.disconnect();
  }

  @Test
  void usersWithScanningOffAreNotScannedAndUsersWithItOnAre() throws Exception {
    FTPClient internal = gateway.login("internal");
    byte[] flagged = concat(ClamdFixture.YARA_MARKER, Content.bytes(31, 10_000));
    assertThat(internal.storeFile("tool.bin", new ByteArrayInputStream(flagged)))
        .as(internal.getReplyString())
        .isTrue();
    assertThat(download(internal, "tool.bin"))
        .isEqualTo(Content.sha256(new ByteArrayInputStream(flagged)));
    assertThat(log.lines()).noneSatisfy(line -> assertThat(line).contains("internal"));
    internal.disconnect();

    FTPClient partner = gateway.login("partner");
    assertThat(
            UploadClient.storeUntilRefused(partner, "tool.bin", new ByteArrayInputStream(flagged)))
        .isEqualTo(550);
    partner.disconnect();
  }

  @Test
  void filesOverTheSizeLimitAreRefusedWhenSoConfigured() throws Exception {
    try (UploadScanning refusing =
            UploadScanning.start(
                settings(
                    clamd.tcp(), MIB, Fallback.REFUSE, Fallback.REFUSE, Duration.ofSeconds(60)));
        GatewayUnderTest limited = GatewayUnderTest.start(new ScanUsers(), refusing)) {
      FTPClient alice = limited.login("alice");
      assertThat(alice.storeFile("exactly.bin", Content.random(41, MIB)))
          .as(alice.getReplyString())
          .isTrue();

      int reply = UploadClient.storeUntilRefused(alice, "big.bin", Content.random(42, 3 * MIB));

      assertThat(reply).as(alice.getReplyString()).isEqualTo(552);
      assertThat(alice.getReplyString())
          .contains("larger than the 1 MiB the virus scanner accepts");
      assertThat(limited.objectKeys()).doesNotContain(GatewayUnderTest.key("alice", "big.bin"));
      assertThat(limited.pendingUploads()).isEmpty();
      assertThat(log.lines())
          .anySatisfy(line -> assertThat(line).startsWith("Upload of /big.bin by alice refused"));
      alice.disconnect();
    }
  }

  @Test
  void filesOverTheSizeLimitAreScannedInPartWhenSoConfigured() throws Exception {
    try (UploadScanning partly =
            UploadScanning.start(
                settings(
                    clamd.tcp(), MIB, Fallback.STORE, Fallback.REFUSE, Duration.ofSeconds(60)));
        GatewayUnderTest limited = GatewayUnderTest.start(new ScanUsers(), partly)) {
      FTPClient alice = limited.login("alice");
      long size = 3 * MIB;
      assertThat(alice.storeFile("big.bin", Content.random(51, size)))
          .as(alice.getReplyString())
          .isTrue();
      assertThat(download(alice, "big.bin")).isEqualTo(Content.sha256(51, size));
      assertThat(log.lines())
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith(
                          "Stored PARTLY SCANNED: alice /big.bin: the first 1048576 bytes"));

      int early =
          UploadClient.storeUntilRefused(
              alice, "early.bin", withMarker(52, size, MIB / 2, ClamdFixture.BODY_MARKER));
      assertThat(early).as("a match in the scanned start still refuses").isEqualTo(550);
      assertThat(limited.objectKeys()).doesNotContain(GatewayUnderTest.key("alice", "early.bin"));

      assertThat(
              alice.storeFile("late.bin", withMarker(53, size, 2 * MIB, ClamdFixture.BODY_MARKER)))
          .as("what lies beyond scan.maxSize is not scanned: that is the documented trade-off")
          .isTrue();
      assertThat(limited.pendingUploads()).isEmpty();
      alice.disconnect();
    }
  }

  static ScanSettings settings(
      ClamdAddress clamd, long maxSize, Fallback onTooLarge, Fallback onFailure, Duration verdict) {
    return new ScanSettings(
        clamd, 8, Duration.ofSeconds(2), verdict, onFailure, maxSize, onTooLarge, true);
  }

  static String download(FTPClient client, String name) throws IOException {
    Content.Sink sink = new Content.Sink();
    assertThat(client.retrieveFile(name, sink)).as(client.getReplyString()).isTrue();
    return sink.sha256();
  }

  /** {@code size} pseudo-random bytes with {@code marker} at {@code at}. */
  static InputStream withMarker(long seed, long size, long at, byte[] marker) {
    return new SequenceInputStream(
        new SequenceInputStream(Content.random(seed, at), new ByteArrayInputStream(marker)),
        Content.random(seed + 1, size - at - marker.length));
  }

  static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  enum Signature {
    BODY(ClamdFixture.BODY_MARKER, ClamdFixture.BODY_SIGNATURE),
    YARA(ClamdFixture.YARA_MARKER, ClamdFixture.YARA_SIGNATURE);

    final byte[] marker;
    final String name;

    Signature(byte[] marker, String name) {
      this.marker = marker;
      this.name = name;
    }
  }
}
