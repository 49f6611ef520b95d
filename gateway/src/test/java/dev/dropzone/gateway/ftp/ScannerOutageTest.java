package dev.dropzone.gateway.ftp;

import static dev.dropzone.gateway.ftp.ScanningThroughFtpTest.download;
import static dev.dropzone.gateway.ftp.ScanningThroughFtpTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.scan.ClamdFixture;
import dev.dropzone.gateway.scan.ScanSettings.Fallback;
import dev.dropzone.gateway.scan.UploadScanning;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * clamd stopped or frozen under two gateways that share it: one fails closed ({@code
 * scan.onFailure: refuse}, the default), one fails open ({@code store}). Both have used clamd
 * before the outage, so their pools hold connections that the outage breaks.
 */
class ScannerOutageTest {

  private static final long MIB = 1L << 20;
  private static final Duration VERDICT_TIMEOUT = Duration.ofSeconds(2);

  @TempDir static Path dir;
  private static ClamdFixture clamd;
  private static UploadScanning closedScanning;
  private static UploadScanning openScanning;
  private static GatewayUnderTest failClosed;
  private static GatewayUnderTest failOpen;
  private static ScanLogLines log;

  @BeforeAll
  static void start() throws Exception {
    clamd = ClamdFixture.start(dir, 64 * MIB);
    closedScanning =
        UploadScanning.start(
            settings(clamd.tcp(), 64 * MIB, Fallback.REFUSE, Fallback.REFUSE, VERDICT_TIMEOUT));
    openScanning =
        UploadScanning.start(
            settings(clamd.tcp(), 64 * MIB, Fallback.REFUSE, Fallback.STORE, VERDICT_TIMEOUT));
    failClosed = GatewayUnderTest.start(new ScanUsers(), closedScanning);
    failOpen = GatewayUnderTest.start(new ScanUsers(), openScanning);
    log = new ScanLogLines();
  }

  @AfterAll
  static void stop() throws Exception {
    log.close();
    failClosed.close();
    failOpen.close();
    closedScanning.close();
    openScanning.close();
    clamd.close();
  }

  @Test
  void clamdStoppedRefusesWith451OrStoresAndLogsUnscanned() throws Exception {
    bothScanClean("before-stop.bin");
    clamd.stop();
    try {
      outage("stopped");
    } finally {
      clamd.restart();
    }
    bothScanClean("after-restart.bin");
    FTPClient alice = failClosed.login("alice");
    assertThat(
            UploadClient.storeUntilRefused(
                alice,
                "flagged.bin",
                ScanningThroughFtpTest.withMarker(9, MIB, 10, ClamdFixture.BODY_MARKER)))
        .as("scanning again after clamd came back: %s", alice.getReplyString())
        .isEqualTo(550);
    alice.disconnect();
  }

  @Test
  void clamdFrozenRefusesWith451AfterTheVerdictTimeoutOrStoresUnscanned() throws Exception {
    bothScanClean("before-freeze.bin");
    clamd.pause();
    try {
      outage("frozen");
    } finally {
      clamd.resume();
    }
    bothScanClean("after-thaw.bin");
  }

  private static void outage(String how) throws Exception {
    log.clear();
    String name = how + ".bin";
    long size = 2 * MIB;

    FTPClient closed = failClosed.login("alice");
    int reply = store(closed, name, Content.random(3, size));
    assertThat(reply).as(closed.getReplyString()).isEqualTo(451);
    assertThat(closed.getReplyString())
        .contains("Virus scanner unavailable, try again later; nothing was stored");
    assertThat(failClosed.objectKeys()).doesNotContain(GatewayUnderTest.key("alice", name));
    assertThat(failClosed.pendingUploads()).isEmpty();
    assertThat(log.lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("Upload of /" + name + " by alice refused, nothing was stored")
                    .contains("scan.onFailure = refuse"));
    closed.disconnect();

    FTPClient open = failOpen.login("alice");
    assertThat(open.storeFile(name, Content.random(4, size))).as(open.getReplyString()).isTrue();
    assertThat(download(open, name)).isEqualTo(Content.sha256(4, size));
    assertThat(failOpen.pendingUploads()).isEmpty();
    assertThat(log.lines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("Stored UNSCANNED: alice /" + name + ", because clamd at ")
                    .contains("scan.onFailure = store"));
    open.disconnect();
  }

  /**
   * The final reply to STOR: the refusal comes before the data connection opens when clamd is known
   * to be down at the start, else after the data.
   */
  private static int store(FTPClient client, String name, InputStream data) throws Exception {
    OutputStream out = client.storeFileStream(name);
    if (out == null) {
      return client.getReplyCode();
    }
    try (out) {
      data.transferTo(out);
    } catch (IOException expected) {
      // Refused part way; the reply says why.
    }
    client.completePendingCommand();
    return client.getReplyCode();
  }

  private static void bothScanClean(String name) throws Exception {
    log.clear();
    for (GatewayUnderTest gateway : new GatewayUnderTest[] {failClosed, failOpen}) {
      FTPClient alice = gateway.login("alice");
      assertThat(alice.storeFile(name, Content.random(5, MIB))).as(alice.getReplyString()).isTrue();
      alice.disconnect();
    }
    assertThat(log.lines())
        .filteredOn(line -> line.startsWith("Scan clean: alice /" + name))
        .hasSize(2);
  }
}
