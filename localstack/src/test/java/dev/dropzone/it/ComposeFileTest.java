package dev.dropzone.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.ftp.FtpSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker-compose.yml is valid and consistent with the code, checked without a Docker engine:
 * docker-compose parses and resolves the file, and the parts that must agree with the tests and the
 * gateway's defaults are compared directly.
 */
class ComposeFileTest {

  @ParameterizedTest(name = "profiles: {0}")
  @ValueSource(strings = {"", "vault", "scan"})
  void dockerComposeAcceptsTheFile(String profile) throws Exception {
    Assumptions.assumeTrue(
        CommandRun.onPath("docker-compose"),
        "docker-compose is not installed, so the compose file cannot be validated here; install it"
            + " with: apt-get install -y --no-install-recommends docker-compose");
    List<String> command = new ArrayList<>(List.of("docker-compose", "-f", ComposeFile.PATH));
    if (!profile.isEmpty()) {
      command.addAll(List.of("--profile", profile));
    }
    command.add("config");

    CommandRun run = CommandRun.of(RepositoryFiles.root(), Map.of(), command);

    assertThat(run.exitCode()).as(run.output()).isZero();
    // An unset ${VAR} without a default is only a warning, but would break `docker compose up`.
    assertThat(run.output()).doesNotContain("WARNING");
  }

  /** Published ports bind to loopback unless the operator opts in with DZ_PUBLISH_ADDRESS. */
  private static final String PUBLISH = "${DZ_PUBLISH_ADDRESS:-127.0.0.1}";

  @Test
  void everyPortIsPublishedOnLoopbackUnlessTheOperatorOptsIn() throws Exception {
    Assumptions.assumeTrue(CommandRun.onPath("docker-compose"), "docker-compose is not installed");
    ComposeFile compose = ComposeFile.read();
    for (String service : compose.serviceNames()) {
      assertThat(compose.strings(service, "ports"))
          .as(service)
          .allMatch(p -> p.startsWith("127.0.0.1:") || p.startsWith(PUBLISH + ":"));
    }

    CommandRun loopback =
        CommandRun.of(
            RepositoryFiles.root(),
            Map.of(),
            List.of("docker-compose", "-f", ComposeFile.PATH, "--profile", "vault", "config"));
    CommandRun everywhere =
        CommandRun.of(
            RepositoryFiles.root(),
            Map.of("DZ_PUBLISH_ADDRESS", "0.0.0.0", "DZ_PUBLIC_ADDRESS", "192.0.2.10"),
            List.of("docker-compose", "-f", ComposeFile.PATH, "config"));

    assertThat(loopback.exitCode()).as(loopback.output()).isZero();
    assertThat(loopback.output())
        .contains("- 127.0.0.1:2121:2121/tcp", "- 127.0.0.1:50009:50009/tcp")
        .contains("- 127.0.0.1:2122:2122/tcp")
        .doesNotContainPattern("(?m)^\\s*- (0\\.0\\.0\\.0:)?\\d+:\\d+/tcp$");
    assertThat(everywhere.output())
        .contains("- 0.0.0.0:2121:2121/tcp")
        .contains("DROPZONE_FTP_PASSIVE_ADDRESS: 192.0.2.10");
  }

  @Test
  void gatewaysGetLongerToStopThanTheirTransfersGetToFinish() throws Exception {
    ComposeFile compose = ComposeFile.read();
    long grace = FtpSettings.defaults().shutdownGrace().toSeconds();

    for (String gateway : compose.gateways()) {
      Object stop = compose.service(gateway).get("stop_grace_period");
      assertThat(stop).as(gateway + " sets stop_grace_period").isNotNull();
      assertThat(Long.parseLong(stop.toString().replace("s", "")))
          .as(gateway)
          .isGreaterThanOrEqualTo(grace + 10);
    }
  }

  @Test
  void everyGatewaysHealthCheckIsTheImagesReadinessCheck() throws Exception {
    ComposeFile compose = ComposeFile.read();

    for (String gateway : compose.gateways()) {
      Object healthcheck = compose.service(gateway).get("healthcheck");
      assertThat(healthcheck).as(gateway + " has a healthcheck").isInstanceOf(Map.class);
      assertThat(((Map<?, ?>) healthcheck).get("test"))
          .as(gateway)
          .isEqualTo(List.of("CMD", "bash", "/app/healthcheck.sh"));
    }
  }

  @Test
  void localStackIsTheImageTheContractTestRunsAndRunsTheSameInitScript() throws Exception {
    ComposeFile compose = ComposeFile.read();

    assertThat(compose.image("localstack")).isEqualTo(LocalStackContractTest.IMAGE);
    assertThat(compose.strings("localstack", "volumes"))
        .anyMatch(v -> v.startsWith("./localstack/init/ready.d:/etc/localstack/init/ready.d"));
    assertThat(compose.environment("localstack").get("SERVICES")).contains("s3").contains("kms");
  }

  @Test
  void everyGatewayUsesTheBucketTheInitScriptCreates() throws Exception {
    ComposeFile compose = ComposeFile.read();
    Map<String, String> localstack = compose.environment("localstack");

    assertThat(compose.gateways()).isNotEmpty();
    for (String gateway : compose.gateways()) {
      Map<String, String> env = compose.environment(gateway);
      assertThat(env.get("DROPZONE_S3_BUCKET"))
          .as(gateway)
          .isEqualTo(localstack.get("DROPZONE_BUCKET"));
      assertThat(env.get("DROPZONE_S3_ENDPOINT")).as(gateway).isEqualTo("http://localstack:4566");
      assertThat(env.get("DROPZONE_FTP_BIND")).as(gateway).isEqualTo("0.0.0.0");
    }
    assertThat(compose.environment("dropzone"))
        .containsEntry("DROPZONE_KEYS_PROVIDER", "kms")
        .containsEntry("DROPZONE_KEYS_KMS_KEY_ID", "alias/dropzone");
  }

  @Test
  void everyGatewayPublishesItsControlPortAndItsOwnPassiveRange() throws Exception {
    ComposeFile compose = ComposeFile.read();
    List<int[]> ranges = new ArrayList<>();

    for (String gateway : compose.gateways()) {
      Map<String, String> env = compose.environment(gateway);
      String port = env.get("DROPZONE_FTP_PORT");
      String passive = env.get("DROPZONE_FTP_PASSIVE_PORTS");
      assertThat(port).as(gateway + " sets DROPZONE_FTP_PORT").isNotNull();
      assertThat(passive).as(gateway + " sets DROPZONE_FTP_PASSIVE_PORTS").matches("\\d+-\\d+");
      assertThat(compose.strings(gateway, "ports"))
          .as(gateway)
          .contains(PUBLISH + ":" + port + ":" + port, PUBLISH + ":" + passive + ":" + passive);
      String[] bounds = passive.split("-");
      int[] range = {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
      for (int[] other : ranges) {
        assertThat(range[1] < other[0] || range[0] > other[1])
            .as(gateway + "'s passive range " + passive + " overlaps another gateway's")
            .isTrue();
      }
      ranges.add(range);
    }
  }
}
