package dev.dropzone.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.testing.VaultGateway;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics} scraped over HTTP around real transfers through the FTP server (Commons Net),
 * against the in-process S3 server and the Vault Transit protocol server: each meter moves by what
 * the transfer really cost, checked against the key service's own request count where it has one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayMetricsTest {

  private static final String S3 = "dropzone_s3_requests_seconds_count";
  private static final String KEY_CALLS = "dropzone_key_service_calls_seconds_count";

  /** Series that exist only once their first event happened. */
  private static final Set<String> LAZY =
      Set.of(
          "dropzone_s3_retries_total",
          "dropzone_ftp_connections_refused_total",
          "dropzone_ftp_commands_refused_total",
          "jvm_gc_pause_seconds_sum");

  @RegisterExtension final VaultGateway services = new VaultGateway();

  @Test
  void s3KeyServiceAndCacheMetersMoveByWhatEachTransferCost() throws Exception {
    services.start(Map.of());
    Scrape before = scrape();
    FTPClient alice = services.login("alice");

    assertThat(alice.storeFile("a.txt", new ByteArrayInputStream(new byte[100]))).isTrue();
    Scrape firstUpload = scrape();
    assertThat(delta(before, firstUpload, KEY_CALLS, wrap("ok")))
        .as("alice's first login or upload makes her data key")
        .isEqualTo(vaultCalls("encrypt"))
        .isEqualTo(1);
    assertThat(delta(before, firstUpload, "dropzone_key_cache_size")).isEqualTo(1);

    assertThat(alice.storeFile("b.txt", new ByteArrayInputStream(new byte[100]))).isTrue();
    Scrape secondUpload = scrape();
    assertThat(delta(firstUpload, secondUpload, S3, "operation", "PutObject", "outcome", "ok"))
        .as("a small file is one PutObject")
        .isEqualTo(1);
    assertThat(delta(firstUpload, secondUpload, KEY_CALLS, wrap("ok"))).isZero();

    byte[] big = new byte[12 << 20];
    new Random(1).nextBytes(big);
    assertThat(alice.storeFile("big.bin", new ByteArrayInputStream(big))).isTrue();
    Scrape multipart = scrape();
    assertThat(delta(secondUpload, multipart, S3, ok("CreateMultipartUpload"))).isEqualTo(1);
    assertThat(delta(secondUpload, multipart, S3, ok("UploadPart")))
        .as("12 MiB in parts of 5 MiB")
        .isEqualTo(3);
    assertThat(delta(secondUpload, multipart, S3, ok("CompleteMultipartUpload"))).isEqualTo(1);
    assertThat(multipart.value("dropzone_s3_multipart_uploads_in_flight")).isZero();
    assertThat(multipart.value("dropzone_part_buffer_reserved_bytes")).isZero();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(alice.retrieveFile("a.txt", out)).isTrue();
    Scrape download = scrape();
    assertThat(delta(multipart, download, S3, ok("GetObject"))).isEqualTo(1);
    assertThat(delta(multipart, download, "dropzone_key_cache_hits_total")).isEqualTo(1);
    assertThat(delta(multipart, download, "dropzone_key_cache_misses_total")).isZero();

    assertThat(alice.retrieveFile("nothing.txt", out)).isFalse();
    Scrape missing = scrape();
    assertThat(delta(download, missing, S3, "operation", "GetObject", "outcome", "not_found"))
        .isEqualTo(1);
    alice.disconnect();

    // A restarted gateway has an empty cache: the first use of alice's key unwraps it once.
    services.start(Map.of());
    Scrape restarted = scrape();
    int decryptsBefore = services.vault().server().count("decrypt");
    alice = services.login("alice");
    assertThat(alice.retrieveFile("a.txt", out)).isTrue();
    assertThat(alice.retrieveFile("b.txt", out)).isTrue();
    Scrape cold = scrape();
    assertThat(delta(restarted, cold, "dropzone_key_cache_misses_total"))
        .isEqualTo(delta(restarted, cold, KEY_CALLS, unwrap("ok")))
        .isEqualTo(services.vault().server().count("decrypt") - decryptsBefore)
        .isEqualTo(1);
    assertThat(delta(restarted, cold, "dropzone_key_cache_hits_total")).isEqualTo(2);
    assertThat(
            cold.value(
                "dropzone_s3_requests_seconds_bucket",
                "le",
                "30.0",
                "operation",
                "GetObject",
                "outcome",
                "ok"))
        .as("latency histogram with fixed buckets")
        .isEqualTo(cold.value(S3, ok("GetObject")));
    assertThat(alice.deleteFile("b.txt")).isTrue();
    alice.disconnect();
    // A command's event fires once it has answered, so the 250 may reach the client first.
    Scrape afterDelete =
        await()
            .until(
                this::scrape,
                scrape ->
                    scrape.series().keySet().stream()
                        .anyMatch(s -> s.startsWith("dropzone_ftp_tree_changes_total{")));
    assertThat(Dashboard.read().metrics())
        .as("every series the dashboard shows is exported")
        // Created by their first event, which these transfers do not cause (the outage test
        // shows retries).
        .filteredOn(name -> !LAZY.contains(name))
        .allMatch(
            name ->
                afterDelete.series().keySet().stream()
                    .anyMatch(s -> s.equals(name) || s.startsWith(name + "{")));
    assertThat(afterDelete.series().keySet())
        .filteredOn(series -> series.startsWith("dropzone_"))
        .as("no user, path or bucket in any label")
        .noneMatch(
            s -> s.contains("alice") || s.contains(".txt") || s.contains(VaultGateway.BUCKET));
  }

  @Test
  void outagesAreCountedByOutcome() throws Exception {
    services.start(Map.of("s3.commandDeadline", "2s"));
    Scrape before = scrape();

    // Logged in only now: a login already prepares the user's key.
    services.vault().server().stop();
    FTPClient bob = services.login("bob");
    assertThat(bob.storeFile("first.txt", new ByteArrayInputStream(new byte[10]))).isFalse();
    Scrape vaultDown = scrape();
    // Tried when bob logged in and again for his upload, unless the two calls were merged.
    assertThat(delta(before, vaultDown, KEY_CALLS, wrap("unavailable"))).isBetween(1.0, 2.0);
    assertThat(delta(before, vaultDown, KEY_CALLS, wrap("ok"))).isZero();
    services.vault().server().restart();

    services.s3().stop();
    assertThat(bob.listNames()).isNull();
    Scrape s3Down = scrape();
    assertThat(delta(vaultDown, s3Down, S3, "operation", "ListObjectsV2", "outcome", "io_error"))
        .isGreaterThanOrEqualTo(1);
    assertThat(delta(vaultDown, s3Down, "dropzone_s3_retries_total", "operation", "ListObjectsV2"))
        .as("the SDK retried before giving up")
        .isGreaterThanOrEqualTo(1);
    services.s3().restart();
    bob.disconnect();
  }

  @Test
  void partBuffersAndMultipartUploadsInFlightAreVisibleWhileAnUploadRuns() throws Exception {
    services.start(Map.of("s3.partBufferBudget", "64MiB"));
    FTPClient alice = services.login("alice");
    assertThat(scrape().value("dropzone_part_buffer_budget_bytes")).isEqualTo(64 << 20);

    OutputStream upload = alice.storeFileStream("held.bin");
    byte[] chunk = new byte[1 << 20];
    for (int i = 0; i < 7; i++) {
      upload.write(chunk);
    }
    upload.flush();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> scrape().value("dropzone_s3_multipart_uploads_in_flight") == 1);
    assertThat(scrape().value("dropzone_part_buffer_reserved_bytes")).isPositive();

    upload.close();
    assertThat(alice.completePendingCommand()).isTrue();
    Scrape done = scrape();
    assertThat(done.value("dropzone_s3_multipart_uploads_in_flight")).isZero();
    assertThat(done.value("dropzone_part_buffer_reserved_bytes")).isZero();
    assertThat(done.series()).containsKey("dropzone_part_buffer_waits_total");
    alice.disconnect();
  }

  private static String[] ok(String operation) {
    return new String[] {"operation", operation, "outcome", "ok"};
  }

  private static String[] wrap(String outcome) {
    return new String[] {"operation", "wrap", "outcome", outcome, "provider", "vault"};
  }

  private static String[] unwrap(String outcome) {
    return new String[] {"operation", "unwrap", "outcome", outcome, "provider", "vault"};
  }

  private static double delta(Scrape from, Scrape to, String name, String... labels) {
    return to.value(name, labels) - from.value(name, labels);
  }

  private int vaultCalls(String operation) {
    return services.vault().server().count(operation);
  }

  private Scrape scrape() throws Exception {
    return Scrape.of(services.runtime().adminPort());
  }
}
