package dev.dropzone.bench.harness;

import dev.dropzone.bench.crypto.StreamingAeadBenchmark;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Case 7: the JMH figures of {@link StreamingAeadBenchmark} next to OpenSSL's AES-256-GCM and
 * SHA-256 on the same core, which stand for what the hardware can do.
 */
final class CryptoSpeed {

  private CryptoSpeed() {}

  /** MiB/s per core of {@code encrypt} and {@code decrypt}. */
  static Map<String, Double> tink() throws RunnerException {
    var options =
        new OptionsBuilder().include(StreamingAeadBenchmark.class.getName() + ".*").build();
    double mib = StreamingAeadBenchmark.PLAINTEXT_BYTES / (double) (1 << 20);
    return new Runner(options)
        .run().stream()
            .collect(
                Collectors.toMap(
                    r -> r.getParams().getBenchmark().replaceAll(".*\\.", ""),
                    (RunResult r) -> r.getPrimaryResult().getScore() * mib));
  }

  /** MiB/s of {@code openssl speed -evp <algorithm>} on 1 MiB buffers, one process. */
  static double openssl(String algorithm) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                List.of(
                    "openssl", "speed", "-evp", algorithm, "-bytes", "1048576", "-seconds", "3"))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("openssl speed failed: " + output);
    }
    // Last line: "AES-256-GCM  1234567.89k" (or "sha256 ...") — thousands of bytes per second.
    String[] lines = output.strip().split("\n");
    String[] fields = lines[lines.length - 1].trim().split("\\s+");
    String last = fields[fields.length - 1];
    return Double.parseDouble(last.substring(0, last.length() - 1)) * 1000 / (1 << 20);
  }
}
