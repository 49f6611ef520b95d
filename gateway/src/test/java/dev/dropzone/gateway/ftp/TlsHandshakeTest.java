package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.testing.OpensslClient;
import dev.dropzone.kek.testing.TestCertificate;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a TLS client sees, probed with {@code openssl s_client}: only forward-secret AEAD suites on
 * TLS 1.2 and 1.3, on the explicit (AUTH TLS) and implicit ports alike, and no client-initiated
 * renegotiation. The server has an RSA certificate, so the old RSA key exchange and CBC suites
 * would be possible if they were enabled.
 */
class TlsHandshakeTest {

  @TempDir static Path dir;
  private static GatewayUnderTest gw;

  @BeforeAll
  static void start() throws Exception {
    OpensslClient.requireInstalled();
    TestCertificate rsa = TestCertificate.forLoopbackRsa("dropzone-rsa");
    SettingsBuilder settings = new SettingsBuilder();
    settings.tls =
        FtpSettings.Tls.pem(
            rsa.writeCertificatePem(dir.resolve("rsa.pem")),
            rsa.writePrivateKeyPem(dir.resolve("rsa-key.pem")),
            false,
            0);
    gw = GatewayUnderTest.start(settings.build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
  }

  @ParameterizedTest(name = "{0} over {1}: accepted={2}")
  @CsvSource({
    "AES128-GCM-SHA256, -tls1_2, false", // RSA key exchange: no forward secrecy
    "AES256-SHA256, -tls1_2, false",
    "AES128-SHA, -tls1_2, false",
    "ECDHE-RSA-AES128-SHA, -tls1_2, false", // CBC with SHA-1
    "ECDHE-RSA-AES256-SHA384, -tls1_2, false", // CBC
    "DHE-RSA-AES128-GCM-SHA256, -tls1_2, false", // finite-field DH
    "ECDHE-RSA-AES128-GCM-SHA256, -tls1_2, true",
    "ECDHE-RSA-AES256-GCM-SHA384, -tls1_2, true",
    "ECDHE-RSA-CHACHA20-POLY1305, -tls1_2, true",
    "DEFAULT@SECLEVEL=0, -tls1_1, false",
    "DEFAULT@SECLEVEL=0, -tls1, false",
  })
  void onlyForwardSecretAeadSuitesAreAccepted(String cipher, String version, boolean accepted)
      throws Exception {
    for (boolean explicit : new boolean[] {false, true}) {
      int port = explicit ? gw.port() : gw.gateway.implicitTlsPort();
      String output = OpensslClient.handshake(port, explicit, version, "-cipher", cipher);
      if (accepted) {
        assertThat(output).as(output).contains("Cipher is " + cipher);
      } else {
        assertThat(output)
            .as(output)
            .containsPattern("Cipher is \\(NONE\\)|alert|no protocols available");
      }
    }
  }

  @Test
  void tls13UsesItsOwnAeadSuites() throws Exception {
    String output = OpensslClient.handshake(gw.gateway.implicitTlsPort(), false, "-tls1_3");
    assertThat(output)
        .containsPattern(
            "New, TLSv1.3, Cipher is TLS_(AES_256_GCM_SHA384|AES_128_GCM_SHA256"
                + "|CHACHA20_POLY1305_SHA256)");
  }

  @ParameterizedTest(name = "explicit={0}")
  @ValueSource(booleans = {false, true})
  void clientInitiatedRenegotiationIsRefused(boolean explicit) throws Exception {
    int port = explicit ? gw.port() : gw.gateway.implicitTlsPort();
    List<String> output = OpensslClient.renegotiate(port, explicit);
    assertThat(output).as(String.join("\n", output)).contains("RENEGOTIATING");
    assertThat(OpensslClient.renegotiated(output)).as(String.join("\n", output)).isFalse();
  }
}
