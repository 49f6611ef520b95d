package dev.dropzone.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.runtime.GatewayRuntime;
import dev.dropzone.gateway.testing.VaultGateway;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin endpoint of a real gateway over real HTTP, with the in-process S3 server and the Vault
 * Transit protocol server as the services its readiness depends on; both are stopped and restarted
 * on their ports as an outage would.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AdminEndpointTest {

  private static final String TOKEN = "admin-token-for-tests-0123";
  private static final Path HEALTHCHECK = Path.of("..", "localstack", "docker", "healthcheck.sh");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @RegisterExtension final VaultGateway services = new VaultGateway();

  @Test
  void withATokenEveryEndpointRefusesRequestsWithoutIt() throws Exception {
    start(Map.of("admin.token", TOKEN));

    for (String path : List.of("/metrics", "/healthz", "/readyz", "/nothing-here")) {
      HttpResponse<String> none = get(path, null);
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"dropzone-admin\"");
      assertThat(none.body()).contains("Authorization: Bearer").doesNotContain(TOKEN);
      assertThat(get(path, "Bearer wrong-token-of-some-length").statusCode())
          .as(path)
          .isEqualTo(401);
      assertThat(get(path, "Basic " + TOKEN).statusCode()).as(path).isEqualTo(401);
    }

    assertThat(get("/healthz", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    assertThat(get("/readyz", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = get("/metrics", "Bearer " + TOKEN);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain; version=0.0.4");
    assertThat(metrics.body()).contains("jvm_memory_used_bytes");
    assertThat(get("/nothing-here", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
  }

  @Test
  void readyzNamesEveryCheckAndFollowsAnS3OutageAndRecovery() throws Exception {
    start(Map.of());
    JsonObject ready = ready(200);
    assertThat(ready.getString("status")).isEqualTo("ready");
    assertThat(ready.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("name")))
        .containsExactly("ftp", "s3", "keyService");
    assertThat(ready.getJsonArray("failed")).isEmpty();

    services.s3().stop();

    JsonObject unready = awaitReadyz(503);
    assertThat(unready.getString("status")).isEqualTo("unready");
    assertThat(unready.getJsonArray("failed").getList()).containsExactly("s3");
    assertThat(check(unready, "s3").getString("problem"))
        .contains("bucket '" + VaultGateway.BUCKET + "' at " + services.s3().endpoint());
    assertThat(get("/healthz", null).statusCode())
        .as("an S3 outage does not make the process unhealthy")
        .isEqualTo(200);

    services.s3().restart();

    assertThat(awaitReadyz(200).getJsonArray("failed")).isEmpty();
  }

  @Test
  void readyzFailsWhileTheKeyServiceIsDown() throws Exception {
    start(Map.of());
    ready(200);

    services.vault().server().stop();

    JsonObject unready = awaitReadyz(503);
    assertThat(unready.getJsonArray("failed").getList()).containsExactly("keyService");
    assertThat(check(unready, "keyService").getString("problem"))
        .contains("vault transit at " + services.vault().uri());

    services.vault().server().restart();

    awaitReadyz(200);
  }

  @Test
  void readinessResultsAreCachedSoProbesDoNotHammerTheKeyService() throws Exception {
    start(Map.of("admin.checkCacheTtl", "1h"));

    ready(200);
    int calls =
        services.vault().server().count("encrypt") + services.vault().server().count("decrypt");
    for (int i = 0; i < 5; i++) {
      ready(200);
    }

    assertThat(calls).as("one wrap and one unwrap per check").isEqualTo(2);
    assertThat(
            services.vault().server().count("encrypt") + services.vault().server().count("decrypt"))
        .isEqualTo(2);
  }

  @Test
  void healthzAndReadyzAnswer503AsSoonAsShutdownBegins() throws Exception {
    start(Map.of("ftp.shutdownGrace", "60s"));
    assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
    // A running upload holds the shutdown in its grace period, where probes must already fail.
    CountDownLatch release = new CountDownLatch(1);
    FTPClient ftp = services.login("alice");
    OutputStream upload = ftp.storeFileStream("held.bin");
    upload.write(new byte[1024]);
    upload.flush();
    GatewayRuntime gateway = services.runtime();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> get("/healthz", null).statusCode() == 503);
      HttpResponse<String> healthz = get("/healthz", null);
      assertThat(new JsonObject(healthz.body()).getString("status")).isEqualTo("shutting down");
      HttpResponse<String> readyz = get("/readyz", null);
      assertThat(readyz.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(readyz.body()).getJsonArray("failed").getList())
          .containsExactly("shutdown");
      assertThat(closing).isNotDone();
    } finally {
      release.countDown();
      upload.close();
      ftp.completePendingCommand();
      ftp.disconnect();
    }
    closing.get(60, TimeUnit.SECONDS);
    services.forgetGateway();
  }

  @Test
  void aTakenAdminPortStopsTheStartWithTheKeyToChange() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> start(Map.of("admin.port", Integer.toString(taken.getLocalPort()))))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("admin.port");
    }
  }

  /** The Docker image's HEALTHCHECK script, run by bash against this gateway as Docker would. */
  @Test
  void theImagesHealthcheckScriptIsHealthyExactlyWhileReadyzIs() throws Exception {
    Path tokenFile = services.dir().resolve("admin-token");
    Files.writeString(tokenFile, TOKEN + "\n");
    start(Map.of("admin.token", TOKEN, "admin.bind", "0.0.0.0"));
    Map<String, String> env =
        Map.of(
            "DROPZONE_ADMIN_PORT", Integer.toString(services.runtime().adminPort()),
            "DROPZONE_ADMIN_BIND", "0.0.0.0",
            "DROPZONE_ADMIN_TOKEN_FILE", tokenFile.toString());

    // The first checks of a fresh JVM can outlast the script's 4 s read on a loaded machine.
    assertThat(get("/readyz", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    Healthcheck healthy = healthcheck(env);
    assertThat(healthy.exitCode()).as(healthy.output()).isZero();
    assertThat(healthy.output()).contains("\"status\":\"ready\"");
    Healthcheck withoutToken =
        healthcheck(Map.of("DROPZONE_ADMIN_PORT", env.get("DROPZONE_ADMIN_PORT")));
    assertThat(withoutToken.exitCode()).as(withoutToken.output()).isEqualTo(1);

    services.s3().stop();
    await().atMost(Duration.ofSeconds(30)).until(() -> healthcheck(env).exitCode() == 1);
    assertThat(healthcheck(env).output()).contains("\"failed\":[\"s3\"]");
    services.s3().restart();
    await().atMost(Duration.ofSeconds(30)).until(() -> healthcheck(env).exitCode() == 0);

    services.stopGateway();
    Healthcheck stopped = healthcheck(env);
    assertThat(stopped.exitCode()).isEqualTo(1);
    assertThat(stopped.output()).contains("does not answer");
  }

  private record Healthcheck(int exitCode, String output) {}

  private static Healthcheck healthcheck(Map<String, String> env) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("bash", HEALTHCHECK.toString()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("DROPZONE_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return new Healthcheck(process.exitValue(), output);
  }

  private void start(Map<String, String> extra) throws Exception {
    services.start(extra);
  }

  private JsonObject ready(int status) throws Exception {
    HttpResponse<String> response = get("/readyz", null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return new JsonObject(response.body());
  }

  /**
   * Polls until /readyz answers {@code status}: a check in flight may still hold the old answer.
   */
  private JsonObject awaitReadyz(int status) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> get("/readyz", null).statusCode() == status);
    try {
      return ready(status);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonObject check(JsonObject readyz, String name) {
    return readyz.getJsonArray("checks").stream()
        .map(JsonObject.class::cast)
        .filter(c -> c.getString("name").equals(name))
        .findFirst()
        .orElseThrow();
  }

  private HttpResponse<String> get(String path, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + services.runtime().adminPort() + path))
            .timeout(Duration.ofSeconds(20));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
