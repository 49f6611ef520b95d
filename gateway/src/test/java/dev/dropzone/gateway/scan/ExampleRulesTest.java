package dev.dropzone.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example YARA rule the compose profile ships loads in clamd and does what the README says. */
class ExampleRulesTest {

  private static final Path EXAMPLE =
      Path.of("..", "localstack", "compose", "clamav", "dropzone-example.yar");

  @Test
  void theReadmesTryItLineIsRefusedWithTheDocumentedName(@TempDir Path dir) throws Exception {
    try (ClamdFixture clamd = ClamdFixture.start(dir, 1 << 20, EXAMPLE);
        ClamdScanner scanner = ClamdScannerTest.scanner(clamd.tcp(), 1)) {
      byte[] tryIt = "DROPZONE-SCAN-EXAMPLE".getBytes(StandardCharsets.US_ASCII);
      assertThat(ClamdScannerTest.scan(scanner, tryIt))
          .isEqualTo(new Verdict("YARA.Dropzone_Example_Marker.UNOFFICIAL"));
      byte[] utf16 = "x DROPZONE-SCAN-EXAMPLE y".getBytes(StandardCharsets.UTF_16LE);
      assertThat(ClamdScannerTest.scan(scanner, utf16).clean()).isFalse();
      assertThat(ClamdScannerTest.scan(scanner, ClamdScannerTest.random(1, 100_000)))
          .isEqualTo(Verdict.CLEAN);
    }
  }
}
