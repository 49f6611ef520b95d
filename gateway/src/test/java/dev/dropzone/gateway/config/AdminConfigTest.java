package dev.dropzone.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.admin.AdminSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminConfigTest {

  private static final String TOKEN = "admin-token-0123456789";

  @TempDir Path dir;

  @Test
  void theEndpointIsOffByDefault() throws Exception {
    assertThat(settings(Map.of(), Map.of()).admin()).isNull();
  }

  @Test
  void defaultsBindToLoopbackWithoutAToken() throws Exception {
    AdminSettings admin = settings(Map.of("admin.enabled", "true"), Map.of()).admin();

    assertThat(admin.bind()).isEqualTo("127.0.0.1");
    assertThat(admin.port()).isEqualTo(9180);
    assertThat(admin.token()).isNull();
    assertThat(admin.checkCacheTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(admin.checkTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void theTokenIsReadFromAFileLikeEverySecret() throws Exception {
    Path file = dir.resolve("admin-token");
    Files.writeString(file, TOKEN + "\n");

    AdminSettings admin =
        settings(
                Map.of("admin.enabled", "true", "admin.bind", "0.0.0.0", "admin.port", "0"),
                Map.of("DROPZONE_ADMIN_TOKEN_FILE", file.toString()))
            .admin();

    assertThat(admin.token().acceptsHeader("Bearer " + TOKEN)).isTrue();
    assertThat(admin.bind()).isEqualTo("0.0.0.0");
    assertThat(admin.port()).isZero();
  }

  @Test
  void everyBadValueIsReportedWithItsKeyAndAShortTokenIsNotRepeated() {
    Map<String, String> values = new HashMap<>();
    values.put("admin.enabled", "true");
    values.put("admin.bind", " ");
    values.put("admin.port", "70000");
    values.put("admin.token", "tooshort");
    values.put("admin.checkCacheTtl", "-1s");
    values.put("admin.checkTimeout", "10ms");

    assertThatThrownBy(() -> settings(values, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.bind")
        .hasMessageContaining("admin.port: '70000' is not a port")
        .hasMessageContaining("admin.token: must be at least 16 characters")
        .hasMessageContaining("admin.checkCacheTtl")
        .hasMessageContaining("admin.checkTimeout: '10ms' must be at least 100ms")
        .hasMessageNotContaining("tooshort");
  }

  @Test
  void settingsOfAnEndpointThatIsOffAreNotChecked() throws Exception {
    assertThat(settings(Map.of("admin.port", "70000"), Map.of()).admin()).isNull();
  }

  private GatewaySettings settings(Map<String, String> values, Map<String, String> env)
      throws Exception {
    Map<String, String> all = new HashMap<>(values);
    all.put("s3.bucket", "b");
    all.put("keys.keysetFile", "keyset.json");
    return new ConfigLoader().environment(env).overrides(all, "test").settings(dir);
  }
}
