package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * dropzone.jar, and says so plainly when that jar is not there.
 */
class GatewayJarIT {

  private static final Path JAR = Path.of("target", "dropzone.jar");
  private static final Path EMBEDDED_S3_JAR = Path.of("target", "dropzone-embedded-s3.jar");
  private static final List<String> EMBEDDED_ONLY =
      List.of("org/gaul/", "org/eclipse/jetty/", "org/jclouds/", "com/amazonaws/", "com/azure/");

  @TempDir Path work;

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
    Path alone = Files.copy(JAR, work.resolve("dropzone.jar"));

    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                alone.toString(),
                "embedded",
                "--data-dir",
                work.resolve("data").toString(),
                "--port",
                "0")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isEqualTo(1);
    assertThat(output)
        .contains("embedded mode needs its S3 server, dropzone-embedded-s3.jar")
        .contains(alone.toString())
        .doesNotContain("Exception");
  }

  @Test
  void theGatewayJarRunsAloneForEverythingButEmbeddedMode()
      throws IOException, InterruptedException {
    Path alone = Files.copy(JAR, work.resolve("dropzone.jar"));

    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                alone.toString(),
                "serve",
                "--help")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("--check");
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
    Path jar = Files.copy(JAR, work.resolve("dropzone.jar"));
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    Path users = work.resolve("users.yaml");
    Files.writeString(users, "users: []\n");
    Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
    Path config = work.resolve("dropzone.yaml");
    Files.writeString(
        config,
        "s3:\n  bucket: b\nkeys:\n  provider: kms\n  kms:\n    keyId: k\n"
            + "users:\n  file: users.yaml\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

    for (List<String> command :
        List.of(
            List.of("serve", "--config", config.toString()),
            List.of("users", "list", "--file", users.toString()))) {
      List<String> all =
          new java.util.ArrayList<>(
              List.of(
                  "/usr/bin/setpriv",
                  "--reuid=10001",
                  "--regid=10001",
                  "--clear-groups",
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Djava.io.tmpdir=" + work,
                  "-jar",
                  jar.toString()));
      all.addAll(command);
      Process process = new ProcessBuilder(all).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

      assertThat(output)
          .as(String.join(" ", command))
          .contains(
              "cannot read users file "
                  + users
                  + ": permission denied for uid 10001 (the file belongs to uid 0, mode"
                  + " rw-------)")
          .doesNotContain("\tat ");
      assertThat(process.exitValue()).as(output).isIn(1, 2);
    }
  }
}
