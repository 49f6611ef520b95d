package dev.dropzone.gateway.ftp.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.ftp.FtpSettings;
import dev.dropzone.kek.testing.TestCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misconfigured TLS material fails at startup with a message naming the file and the problem. */
class TlsConfigurationTest {

  @TempDir Path dir;

  @Test
  void aKeystoreWithTheWrongPasswordIsNamedInTheError() throws Exception {
    Path keystore = dir.resolve("server.p12");
    Files.write(keystore, new byte[] {0x30, 0x03, 0x02, 0x01, 0x03});
    FtpSettings.Tls tls =
        new FtpSettings.Tls(
            null,
            null,
            keystore,
            "wrong".toCharArray(),
            false,
            -1,
            FtpSettings.DEFAULT_PROTOCOLS,
            true);
    assertThatThrownBy(() -> TlsConfiguration.load(tls))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Keystore " + keystore + " cannot be read");
  }

  @Test
  void aPemFileWithoutCertificateIsNamedInTheError() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
    Path key = Files.writeString(dir.resolve("key.pem"), "");
    FtpSettings.Tls tls = FtpSettings.Tls.pem(cert, key, false, -1);
    assertThatThrownBy(() -> TlsConfiguration.load(tls))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Certificate file " + cert + " holds no PEM certificate");
  }

  @Test
  void theConfiguredProtocolsAndOnlyForwardSecretAeadSuitesAreEnabled() throws Exception {
    TestCertificate certificate = TestCertificate.forLoopback("protocols");
    FtpSettings.Tls tls =
        new FtpSettings.Tls(
            certificate.writeCertificatePem(dir.resolve("c.pem")),
            certificate.writePrivateKeyPem(dir.resolve("k.pem")),
            null,
            null,
            false,
            -1,
            List.of("TLSv1.2"),
            true);
    TlsConfiguration configuration = TlsConfiguration.load(tls);
    assertThat(configuration.getEnabledProtocols()).containsExactly("TLSv1.2");
    assertThat(configuration.getEnabledCipherSuites())
        .isNotEmpty()
        .allMatch(suite -> suite.startsWith("TLS_ECDHE_") || !suite.contains("_WITH_"))
        .allMatch(suite -> suite.contains("_GCM_") || suite.contains("CHACHA20_POLY1305"));
  }

  @Test
  void neitherKeystoreNorPemIsRefused() {
    FtpSettings.Tls tls = FtpSettings.Tls.pem(null, null, true, -1);
    assertThatThrownBy(() -> TlsConfiguration.load(tls))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("either a PKCS12 keystore or both a PEM certificate");
  }
}
