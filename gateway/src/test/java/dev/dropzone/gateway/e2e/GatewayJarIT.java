package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar {@code serve} runs from holds none of the embedded S3 server (S3Proxy and the Jetty 11,
 * jclouds, AWS SDK v1 and Azure code it brings); embedded mode finds it in its own jar beside
 * dropzone.jar, and says so plainly when that jar is not there. And what the jar says when it runs
 * as the container's uid and cannot read its users file.
 */
class GatewayJarIT {

  private static final Path JAR = Path.of("target", "dropzone.jar");
  private static final Path EMBEDDED_S3_JAR = Path.of("target", "dropzone-embedded-s3.jar");
  private static final List<String> EMBEDDED_ONLY =
      List.of("org/gaul/", "org/eclipse/jetty/", "org/jclouds/", "com/amazonaws/", "com/azure/");

  @TempDir Path work;

  private record Run(int exitCode, String output) {}

  /** Runs {@code java -jar jar args}, after {@code prefix} (e.g. a uid switch). */
  private static Run java(List<String> prefix, Path jar, String... args) throws Exception {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Djava.io.tmpdir=" + jar.getParent());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Run(process.exitValue(), output);
  }

  private Path gatewayJarAlone() throws Exception {
    Path alone = Files.copy(JAR, work.resolve("dropzone.jar"));
    Files.setPosixFilePermissions(alone, PosixFilePermissions.fromString("rw-r--r--"));
    return alone;
  }

  @Test
  void theGatewayJarHoldsNoEmbeddedS3ServerCode() throws Exception {
    try (ZipFile jar = new ZipFile(JAR.toFile())) {
      assertThat(jar.stream().map(ZipEntry::getName))
          .as("entries of %s", JAR)
          .noneMatch(name -> EMBEDDED_ONLY.stream().anyMatch(name::startsWith))
          .anyMatch(name -> name.startsWith("dev/dropzone/gateway/"));
    }
    try (ZipFile jar = new ZipFile(EMBEDDED_S3_JAR.toFile())) {
      assertThat(jar.getEntry("dev/dropzone/embedded/s3/S3ProxyServer.class")).isNotNull();
      assertThat(jar.getEntry("org/gaul/s3proxy/S3Proxy.class")).isNotNull();
    }
  }

  @Test
  void embeddedModeWithoutItsServerJarSaysWhatIsMissing() throws Exception {
    Path alone = gatewayJarAlone();

    Run run =
        java(
            List.of(),
            alone,
            "embedded",
            "--data-dir",
            work.resolve("data").toString(),
            "--port",
            "0");

    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    assertThat(run.output())
        .contains("embedded mode needs its S3 server, dropzone-embedded-s3.jar")
        .contains(alone.toString())
        .doesNotContain("Exception");
  }

  @Test
  void theGatewayJarRunsAloneForEverythingButEmbeddedMode() throws Exception {
    Run run = java(List.of(), gatewayJarAlone(), "serve", "--help");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("--check");
  }

  /**
   * The container runs as uid 10001, and a users file made by {@code users add} on the host is 0600
   * for its maker: the failure must say whose access was denied. Switching uid needs root (as in
   * CI) and util-linux's setpriv.
   */
  @Test
  void anUnreadableUsersFileNamesTheUidThatWasDenied() throws Exception {
    Assumptions.assumeTrue(
        "0".equals(String.valueOf(Files.getAttribute(work, "unix:uid")))
            && Files.isExecutable(Path.of("/usr/bin/setpriv")),
        "needs root and setpriv to run the gateway as another uid");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = gatewayJarAlone();
    Path users = work.resolve("users.yaml");
    Files.writeString(users, "users: []\n");
    Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
    Path config = work.resolve("dropzone.yaml");
    Files.writeString(
        config,
        "s3:\n  bucket: b\nkeys:\n  provider: kms\n  kms:\n    keyId: k\n"
            + "users:\n  file: users.yaml\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> asUid10001 =
        List.of("/usr/bin/setpriv", "--reuid=10001", "--regid=10001", "--clear-groups");

    for (String[] command :
        List.of(
            new String[] {"serve", "--config", config.toString()},
            new String[] {"users", "list", "--file", users.toString()})) {
      Run run = java(asUid10001, jar, command);

      assertThat(run.output())
          .as(String.join(" ", command))
          .contains(
              "cannot read users file "
                  + users
                  + ": permission denied for uid 10001 (the file belongs to uid 0, mode"
                  + " rw-------)")
          .doesNotContain("\tat ");
      assertThat(run.exitCode()).as(run.output()).isIn(1, 2);
    }
  }
}
