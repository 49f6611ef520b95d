package dev.dropzone.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.scan.ClamdAddress;
import dev.dropzone.gateway.scan.ScanSettings;
import dev.dropzone.gateway.scan.ScanSettings.Fallback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanConfigTest {

  private static final String MINIMAL = "s3:\n  bucket: b\nkeys:\n  keysetFile: keyset.json\n";

  @TempDir Path dir;

  @Test
  void scanningIsOffByDefault() throws Exception {
    assertThat(settings(Map.of()).scan()).isNull();
  }

  @Test
  void defaultsAreFailClosedAndMatchDebiansStreamMaxLength() throws Exception {
    ScanSettings scan = settings(Map.of("scan.enabled", "true")).scan();

    assertThat(scan)
        .isEqualTo(
            new ScanSettings(
                ClamdAddress.parse("tcp://127.0.0.1:3310"),
                64,
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                Fallback.REFUSE,
                25L << 20,
                Fallback.REFUSE,
                true));
  }

  @Test
  void everySettingIsRead() throws Exception {
    ScanSettings scan =
        settings(
                Map.of(
                    "scan.enabled", "true",
                    "scan.clamd", "unix:/run/clamav/clamd.ctl",
                    "scan.maxConnections", "8",
                    "scan.connectTimeout", "1s",
                    "scan.verdictTimeout", "2m",
                    "scan.onFailure", "store",
                    "scan.maxSize", "100MiB",
                    "scan.onTooLarge", "Store",
                    "scan.allUsers", "false"))
            .scan();

    assertThat(scan.clamd().toString()).isEqualTo("unix:/run/clamav/clamd.ctl");
    assertThat(scan.maxConnections()).isEqualTo(8);
    assertThat(scan.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(scan.verdictTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(scan.onFailure()).isEqualTo(Fallback.STORE);
    assertThat(scan.maxSize()).isEqualTo(100L << 20);
    assertThat(scan.onTooLarge()).isEqualTo(Fallback.STORE);
    assertThat(scan.allUsers()).isFalse();
  }

  @Test
  void everyProblemIsNamedWithItsKey() {
    assertThatThrownBy(
            () ->
                settings(
                    Map.of(
                        "scan.enabled", "true",
                        "scan.clamd", "clamd:3310",
                        "scan.maxConnections", "0",
                        "scan.verdictTimeout", "0s",
                        "scan.onFailure", "ignore",
                        "scan.maxSize", "0",
                        "scan.onTooLarge", "skip")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("scan.clamd: 'clamd:3310' is not a clamd address")
        .hasMessageContaining("scan.maxConnections: '0' must be ≥ 1")
        .hasMessageContaining("scan.verdictTimeout")
        .hasMessageContaining("scan.onFailure: 'ignore' is not one of refuse, store")
        .hasMessageContaining("scan.maxSize")
        .hasMessageContaining("scan.onTooLarge: 'skip' is not one of refuse, store");
  }

  @Test
  void aDisabledSectionIsNotChecked() throws Exception {
    assertThat(settings(Map.of("scan.clamd", "nonsense")).scan()).isNull();
  }

  private GatewaySettings settings(Map<String, String> overrides) throws Exception {
    Path file = dir.resolve("dropzone.yaml");
    Files.writeString(file, MINIMAL);
    DropzoneConfig config = new ConfigLoader().file(file).overrides(overrides, "--set").load();
    return GatewaySettings.from(config, dir);
  }
}
