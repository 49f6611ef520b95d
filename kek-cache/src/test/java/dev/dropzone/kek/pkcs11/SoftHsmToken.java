package dev.dropzone.kek.pkcs11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A real SoftHSM2 token for tests: initialised in a private token directory, holding an AES-256
 * master key generated inside the token (sensitive, never extractable), as an operator would with
 * {@code softhsm2-util} and {@code pkcs11-tool}.
 */
final class SoftHsmToken {

  static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  static final String PIN = "4711-user-pin";
  private static final String SO_PIN = "so-pin-0815";
  private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

  private final long slot;

  private SoftHsmToken(long slot) {
    this.slot = slot;
  }

  /**
   * Creates the token named {@code label} with an AES key labelled {@code keyLabel}, in {@code
   * tokens}; skips the calling tests when SoftHSM2 is not installed.
   */
  static SoftHsmToken create(Path tokens, String label, String keyLabel) throws Exception {
    Assumptions.assumeTrue(
        onPath("softhsm2-util"),
        "softhsm2-util is not installed (apt-get install softhsm2 opensc): PKCS#11 tests skipped");
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null) {
      throw new IllegalStateException(
          "SOFTHSM2_CONF is not set: run the PKCS#11 tests through Maven, whose surefire"
              + " configuration of kek-cache sets it for the test JVM");
    }
    Path confFile = Path.of(conf);
    Files.createDirectories(confFile.getParent());
    Files.writeString(
        confFile,
        "directories.tokendir = "
            + tokens
            + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
    String init =
        run(
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--so-pin",
            SO_PIN,
            "--pin",
            PIN);
    Matcher matcher = SLOT.matcher(init);
    if (!matcher.find()) {
      throw new IllegalStateException("softhsm2-util did not say which slot it used: " + init);
    }
    run(
        "pkcs11-tool",
        "--module",
        LIBRARY.toString(),
        "--token-label",
        label,
        "--login",
        "--pin",
        PIN,
        "--keygen",
        "--key-type",
        "AES:32",
        "--label",
        keyLabel,
        "--sensitive",
        "--usage-decrypt",
        "--usage-wrap");
    return new SoftHsmToken(Long.parseLong(matcher.group(1)));
  }

  long slot() {
    return slot;
  }

  private static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String directory : path.split(":")) {
      if (Files.isExecutable(Path.of(directory, command))) {
        return true;
      }
    }
    return false;
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(command[0] + " failed: " + output);
    }
    return output;
  }
}
