package dev.dropzone.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.ftp.FtpSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * What can be checked of the Dockerfile without an engine: it copies paths that exist and are in
 * the build context, picks up the jar the gateway build really produces, and runs unprivileged with
 * the gateway's ports exposed.
 */
class DockerfileTest {

  private static final Pattern COPY = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ");

  @Test
  void everyCopiedPathExistsAndIsInTheBuildContext() throws Exception {
    String dockerfile = RepositoryFiles.read("Dockerfile");
    List<String> ignore = Files.readAllLines(RepositoryFiles.resolve(".dockerignore"));
    Matcher copy = COPY.matcher(dockerfile);
    int copies = 0;

    while (copy.find()) {
      String source = copy.group(1);
      copies++;
      assertThat(RepositoryFiles.resolve(source)).as("COPY source " + source).exists();
      assertThat(ignore)
          .as(".dockerignore lets " + source + " into the build context")
          .anyMatch(line -> line.equals("!" + source) || line.equals("!" + source + "/"));
    }
    assertThat(copies).isGreaterThan(3);
  }

  @Test
  void theImageTakesTheShadedJarTheGatewayBuildProduces() throws Exception {
    Document pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(RepositoryFiles.resolve("gateway/pom.xml").toFile());
    String finalName =
        XPathFactory.newInstance()
            .newXPath()
            .evaluate("//plugin[artifactId='maven-shade-plugin']//configuration/finalName", pom)
            .trim();
    String dockerfile = RepositoryFiles.read("Dockerfile");

    assertThat(finalName).as("the gateway's shade plugin names its jar").isNotEmpty();
    assertThat(dockerfile)
        .contains("gateway/target/" + finalName + ".jar /dropzone.jar")
        .contains("COPY --from=build /dropzone.jar /app/dropzone.jar")
        .contains("\"-jar\", \"/app/dropzone.jar\"]");
    // The image runs serve: embedded mode's S3 server (S3Proxy, Jetty 11, jclouds) stays out.
    assertThat(dockerfile).doesNotContainPattern("(?m)^COPY .*dropzone-embedded-s3\\.jar");
  }

  @Test
  void runsUnprivilegedWithContainerAwareMemoryAndTheDefaultPortsExposed() throws Exception {
    String dockerfile = RepositoryFiles.read("Dockerfile");
    FtpSettings defaults = FtpSettings.defaults();

    assertThat(dockerfile).containsPattern("(?m)^USER 10001(:10001)?$");
    assertThat(dockerfile).doesNotContainPattern("(?m)^USER (root|0)\\b");
    assertThat(dockerfile).contains("-XX:MaxRAMPercentage=", "-XX:+ExitOnOutOfMemoryError");
    String expose =
        Arrays.stream(dockerfile.split("\n"))
            .filter(line -> line.startsWith("EXPOSE "))
            .findFirst()
            .orElseThrow();
    assertThat(expose.split(" "))
        .contains(String.valueOf(defaults.port()), "990", defaults.passivePorts());
    assertThat(dockerfile).containsPattern("(?m)^HEALTHCHECK ");
  }

  /** The health check asks the admin endpoint's /readyz, which the image's config turns on. */
  @Test
  void theHealthCheckAsksReadyzOfTheAdminEndpointTheImageEnables(@TempDir Path dir)
      throws Exception {
    String dockerfile = RepositoryFiles.read("Dockerfile");
    assertThat(dockerfile)
        .contains("COPY localstack/docker/healthcheck.sh /app/healthcheck.sh")
        .contains("CMD [\"bash\", \"/app/healthcheck.sh\"]");
    assertThat(RepositoryFiles.read("localstack/docker/healthcheck.sh")).contains("GET /readyz ");

    GatewaySettings settings = imageSettings(dir);

    assertThat(settings.admin()).as("admin endpoint on in the image").isNotNull();
    assertThat(settings.admin().bind()).isEqualTo("127.0.0.1");
    assertThat(dockerfile).doesNotContain("/dev/tcp/127.0.0.1/${DROPZONE_FTP_PORT");
  }

  @Test
  void theImagesDefaultConfigIsAcceptedAndListensOnAllAddresses(@TempDir Path dir)
      throws Exception {
    assertThat(RepositoryFiles.read("Dockerfile"))
        .contains("COPY localstack/docker/dropzone.yaml /etc/dropzone/dropzone.yaml")
        .contains("\"--config\", \"/etc/dropzone/dropzone.yaml\"");

    GatewaySettings settings = imageSettings(dir);

    assertThat(settings.ftp().bind()).isEqualTo("0.0.0.0");
    assertThat(settings.ftp().activeModeEnabled()).isFalse();
    assertThat(settings.usersFile()).isEqualTo(Path.of("/etc/dropzone/users.yaml"));
  }

  /** The settings the image's config file gives with only the required values added. */
  private static GatewaySettings imageSettings(Path dir) throws Exception {
    return new ConfigLoader()
        .file(RepositoryFiles.resolve("localstack/docker/dropzone.yaml"))
        .environment(
            Map.of(
                "DROPZONE_S3_BUCKET",
                "dropzone",
                "DROPZONE_KEYS_KEYSET_FILE",
                dir.resolve("keyset.json").toString()))
        .settings(Path.of("/etc/dropzone"));
  }
}
