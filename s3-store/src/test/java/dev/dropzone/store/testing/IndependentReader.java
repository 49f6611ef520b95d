package dev.dropzone.store.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * {@code docs/format-vectors/read_vectors.py}, the reader written from the format spec alone (no
 * Dropzone code, no Tink), run on a directory of vectors. CI installs python3-cryptography ({@code
 * .ci/run}); elsewhere a test that needs it is skipped, saying why.
 */
public final class IndependentReader {

  /** Where the published vectors and the reader are, seen from any module's directory. */
  public static final Path VECTORS = Path.of("..", "docs", "format-vectors").toAbsolutePath();

  private static final Path READER = VECTORS.resolve("read_vectors.py");
  private static final String PYTHON = "/usr/bin/python3";

  /** What the reader printed (one line per check) and its exit code (0 only if all passed). */
  public record Run(int exit, String output) {}

  private IndependentReader() {}

  /** Runs the reader on the {@code vectors.json} in {@code directory}. */
  public static Run run(Path directory) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(PYTHON, READER.toString(), directory.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(output).isTrue();
    return new Run(process.exitValue(), output);
  }

  /** Skips the calling test where python3 or its cryptography package is missing. */
  public static void assumeAvailable() throws IOException, InterruptedException {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of(PYTHON)),
        PYTHON + " is missing: the independent reader of the format was not run");
    Process probe =
        new ProcessBuilder(PYTHON, "-c", "import cryptography").redirectErrorStream(true).start();
    probe.getInputStream().readAllBytes();
    Assumptions.assumeTrue(
        probe.waitFor() == 0,
        "python3-cryptography is missing (apt-get install python3-cryptography): the independent"
            + " reader of the format was not run");
  }
}
