package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Memory per upload does not grow with the file: a 1 GiB upload succeeds in a JVM whose whole heap
 * is 96 MiB. The S3 server runs in this JVM on the filesystem, so the object never sits on the
 * child's heap.
 */
class MemoryBoundTest {

  private static final long SIZE = 1L << 30;
  private static final long SEED = 2024;

  @Test
  void aOneGibUploadFitsInANinetySixMibHeap(@TempDir Path dir) throws Exception {
    try (S3ProxyFixture server = S3ProxyFixture.onDisk(dir)) {
      S3Settings settings = server.bucket("big", "");
      String key = "users/alice/one-gib";

      Process child =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-Xmx96m",
                      "-cp",
                      System.getProperty("java.class.path"),
                      BoundedUploadMain.class.getName(),
                      server.endpoint().toString(),
                      settings.bucket(),
                      key,
                      Long.toString(SIZE),
                      Long.toString(SEED)))
              .redirectErrorStream(true)
              .start();
      String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      // A generous bound only so a hung child cannot hang the build.
      assertThat(child.waitFor(10, TimeUnit.MINUTES)).as(output).isTrue();
      assertThat(child.exitValue()).as(output).isZero();

      String expected = HexFormat.of().formatHex(new PlaintextPattern(SEED).sha256(0, SIZE));
      assertThat(output).contains(BoundedUploadMain.HASH_LINE + expected);
      try (S3Client s3 = S3Clients.create(settings);
          ObjectTransfers transfers = new ObjectTransfers(s3, settings);
          InputStream in = transfers.openRead(key, key, TestKeys.session("alice"), 0)) {
        assertThat(HexFormat.of().formatHex(PlaintextPattern.sha256(in))).isEqualTo(expected);
      }
    }
  }
}
