package dev.dropzone.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.ftp.FtpSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ftp.tls.protocols} and {@code ftp.tls.requireSessionReuse} as the configuration reads
 * them.
 */
class TlsSettingsTest {

  @TempDir Path dir;

  @Test
  void byDefaultTls13And12AndSessionReuseRequired() throws Exception {
    FtpSettings.Tls tls = settings(Map.of()).ftp().tls();
    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(tls.requireSessionReuse()).isTrue();
  }

  @Test
  void aCommaSeparatedListAsFromAnEnvironmentVariableAndReuseTurnedOff() throws Exception {
    FtpSettings.Tls tls =
        settings(Map.of("ftp.tls.protocols", "TLSv1.2", "ftp.tls.requireSessionReuse", "false"))
            .ftp()
            .tls();
    assertThat(tls.protocols()).containsExactly("TLSv1.2");
    assertThat(tls.requireSessionReuse()).isFalse();
  }

  @Test
  void olderProtocolsAreRefusedWithTheKey() {
    assertThatThrownBy(() -> settings(Map.of("ftp.tls.protocols", "TLSv1.2,TLSv1.1")))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "ftp.tls.protocols: 'TLSv1.1' is not allowed: list TLSv1.3 and/or TLSv1.2"
                            + " (older versions are broken)"));
  }

  private GatewaySettings settings(Map<String, String> tls) throws Exception {
    Map<String, String> values = new HashMap<>(tls);
    values.put("s3.bucket", "b");
    values.put("keys.keysetFile", "keyset.json");
    values.put("ftp.tls.certificate", Files.writeString(dir.resolve("c.pem"), "unused").toString());
    values.put("ftp.tls.privateKey", Files.writeString(dir.resolve("k.pem"), "unused").toString());
    return GatewaySettings.from(new ConfigLoader().overrides(values, "--set").load(), dir);
  }
}
