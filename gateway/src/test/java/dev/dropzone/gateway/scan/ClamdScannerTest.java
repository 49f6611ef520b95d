package dev.dropzone.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.scan.Scanner.Scan;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The INSTREAM client and its connection pool against a real clamd. */
class ClamdScannerTest {

  private static final long STREAM_MAX = 2L << 20;

  @TempDir static Path dir;
  private static ClamdFixture clamd;

  @BeforeAll
  static void startClamd() throws Exception {
    clamd = ClamdFixture.start(dir, STREAM_MAX);
  }

  @AfterAll
  static void stopClamd() throws Exception {
    clamd.close();
  }

  @Test
  void verdictsOverTcp() throws Exception {
    try (ClamdScanner scanner = scanner(clamd.tcp(), 4)) {
      assertThat(scan(scanner, random(1, 300_000))).isEqualTo(Verdict.CLEAN);
      assertThat(scan(scanner, withMarker(random(2, 300_000), 1000, ClamdFixture.BODY_MARKER)))
          .isEqualTo(new Verdict(ClamdFixture.BODY_SIGNATURE));
      assertThat(scan(scanner, withMarker(random(3, 300_000), 5, ClamdFixture.YARA_MARKER)))
          .isEqualTo(new Verdict(ClamdFixture.YARA_SIGNATURE));
      assertThat(scan(scanner, new byte[0])).isEqualTo(Verdict.CLEAN);
    }
  }

  @Test
  void verdictsOverAUnixSocket() throws Exception {
    try (ClamdScanner scanner = scanner(clamd.unix(), 4)) {
      assertThat(scan(scanner, random(4, 100_000))).isEqualTo(Verdict.CLEAN);
      assertThat(scan(scanner, withMarker(random(5, 100_000), 99_000, ClamdFixture.YARA_MARKER)))
          .isEqualTo(new Verdict(ClamdFixture.YARA_SIGNATURE));
    }
  }

  @Test
  void aMarkerSplitAcrossWritesIsFound() throws Exception {
    byte[] data = withMarker(random(6, 200_000), 65_530, ClamdFixture.BODY_MARKER);
    try (ClamdScanner scanner = scanner(clamd.tcp(), 1)) {
      Scan scan = scanner.begin();
      for (int off = 0; off < data.length; off += 65_536) {
        scan.write(data, off, Math.min(65_536, data.length - off));
      }
      assertThat(scan.finish()).isEqualTo(new Verdict(ClamdFixture.BODY_SIGNATURE));
    }
  }

  @Test
  void oneSessionConnectionCarriesScanAfterScan() throws Exception {
    try (ClamdScanner scanner = scanner(clamd.tcp(), 4)) {
      for (int i = 0; i < 5; i++) {
        scan(scanner, random(10 + i, 10_000));
      }
      scan(scanner, withMarker(random(20, 10_000), 0, ClamdFixture.BODY_MARKER));
      assertThat(scan(scanner, random(21, 10_000))).isEqualTo(Verdict.CLEAN);
      assertThat(scanner.openConnections()).isEqualTo(1);
    }
  }

  @Test
  void aCancelledScanDropsItsConnectionAndTheNextScanGetsAFreshOne() throws Exception {
    try (ClamdScanner scanner = scanner(clamd.tcp(), 1)) {
      Scan abandoned = scanner.begin();
      abandoned.write(new byte[1000], 0, 1000);
      abandoned.cancel();
      abandoned.cancel();
      assertThat(scanner.openConnections()).isZero();
      assertThat(scan(scanner, random(30, 1000))).isEqualTo(Verdict.CLEAN);
    }
  }

  @Test
  void morePooledScansThanConnectionsWaitThenFailClearly() throws Exception {
    try (ClamdScanner scanner =
        new ClamdScanner(clamd.tcp(), 1, Duration.ofMillis(300), Duration.ofSeconds(10))) {
      Scan holding = scanner.begin();
      assertThatThrownBy(scanner::begin)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("all 1 connections")
          .hasMessageContaining("scan.maxConnections");
      holding.write(new byte[10], 0, 10);
      assertThat(holding.finish()).isEqualTo(Verdict.CLEAN);
      assertThat(scan(scanner, random(40, 10))).isEqualTo(Verdict.CLEAN);
    }
  }

  @Test
  void aStreamOverClamdsLimitIsAnErrorThatNamesTheSetting() throws Exception {
    try (ClamdScanner scanner = scanner(clamd.tcp(), 1)) {
      Scan scan = scanner.begin();
      byte[] block = new byte[256 << 10];
      // clamd answers and closes as soon as the stream passes its limit: the refusal may surface
      // while the rest is written or at the end of the stream, and must say why either way.
      assertThatThrownBy(
              () -> {
                for (long sent = 0; sent <= STREAM_MAX; sent += block.length) {
                  scan.write(block, 0, block.length);
                }
                scan.finish();
              })
          .isInstanceOf(IOException.class)
          .hasMessageContaining("size limit exceeded")
          .hasMessageContaining("StreamMaxLength");
      assertThat(scan(scanner, random(50, 1000))).isEqualTo(Verdict.CLEAN);
    }
  }

  @Test
  void nothingListeningFailsAtOnceWithTheAddress() throws Exception {
    ClamdAddress nowhere = ClamdAddress.parse("unix:" + dir.resolve("no-such.sock"));
    try (ClamdScanner scanner = scanner(nowhere, 1)) {
      assertThatThrownBy(scanner::begin)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot be reached")
          .hasMessageContaining(nowhere.toString());
    }
  }

  @Test
  void addressesAreParsedStrictly() {
    assertThat(ClamdAddress.parse("tcp://clamd:3310"))
        .isEqualTo(new ClamdAddress("clamd", 3310, null));
    assertThat(ClamdAddress.parse("unix:///run/clamav/clamd.ctl").socket())
        .isEqualTo(Path.of("/run/clamav/clamd.ctl"));
    assertThat(ClamdAddress.parse("unix:/run/clamav/clamd.ctl").toString())
        .isEqualTo("unix:/run/clamav/clamd.ctl");
    for (String bad :
        new String[] {"", "clamd:3310", "tcp://clamd", "http://clamd:3310", "unix:x"}) {
      assertThatThrownBy(() -> ClamdAddress.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tcp://HOST:PORT");
    }
  }

  static ClamdScanner scanner(ClamdAddress address, int connections) {
    return new ClamdScanner(address, connections, Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  static Verdict scan(Scanner scanner, byte[] data) throws IOException {
    Scan scan = scanner.begin();
    scan.write(data, 0, data.length);
    return scan.finish();
  }

  static byte[] random(long seed, int size) {
    byte[] data = new byte[size];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < size; i++) {
      data[i] = (byte) random.nextInt(256);
    }
    return data;
  }

  static byte[] withMarker(byte[] data, int at, byte[] marker) {
    System.arraycopy(marker, 0, data, at, marker.length);
    return data;
  }
}
