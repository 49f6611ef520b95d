package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.ftp.tls.TlsConfiguration;
import dev.dropzone.kek.testing.TestCertificate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FTPS, explicit and implicit, with TLS required. */
class FtpsTest {

  @TempDir static Path dir;
  private static TestCertificate certificate;
  private static GatewayUnderTest gw;

  @BeforeAll
  static void startGateway() throws Exception {
    certificate = TestCertificate.forLoopback("dropzone-test");
    SettingsBuilder settings = new SettingsBuilder();
    settings.tls = pemFiles(dir, true, 0);
    gw = GatewayUnderTest.start(settings.build());
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @Test
  void explicitTlsUploadsAndDownloads() throws Exception {
    roundTrip(client(false, gw.port()));
  }

  @Test
  void implicitTlsUploadsAndDownloads() throws Exception {
    assertThat(gw.gateway.implicitTlsPort()).isPositive();
    roundTrip(client(true, gw.gateway.implicitTlsPort()));
  }

  @Test
  void onlyTls12AndTls13AreOffered() throws Exception {
    assertThat(TlsConfiguration.load(pemFiles(dir, true, 0)).getEnabledProtocols())
        .containsExactly("TLSv1.3", "TLSv1.2");
  }

  @Test
  void credentialsAreRefusedBeforeAuthTls() throws Exception {
    FTPClient plain = new FTPClient();
    plain.connect("127.0.0.1", gw.port());
    try {
      assertThat(plain.login("alice", TestUsers.PASSWORD)).isFalse();
      assertThat(plain.getReplyString()).startsWith("530 TLS required: send AUTH TLS first");
    } finally {
      plain.disconnect();
    }
  }

  @Test
  void dataWithoutProtPIsRefusedAndNothingIsStored() throws Exception {
    FTPSClient client = new FTPSClient(false);
    client.setTrustManager(certificate.trustManager());
    client.connect("127.0.0.1", gw.port());
    try {
      assertThat(client.login("bob", TestUsers.PASSWORD)).isTrue();
      client.enterLocalPassiveMode();
      client.setFileType(FTP.BINARY_FILE_TYPE);
      assertThat(client.storeFile("clear.txt", new ByteArrayInputStream(new byte[100]))).isFalse();
      assertThat(client.getReplyString())
          .startsWith("521 Data connections must be protected: send PBSZ 0 and PROT P first");
      assertThat(client.listNames()).isNull();
      assertThat(client.getReplyCode()).isEqualTo(521);
    } finally {
      client.disconnect();
    }
    assertThat(gw.objectKeys()).noneMatch(k -> k.contains("clear.txt"));
  }

  @Test
  void aPkcs12KeystoreWorksToo(@TempDir Path other) throws Exception {
    SettingsBuilder settings = new SettingsBuilder();
    settings.tls = pkcs12(other, false, -1);
    try (GatewayUnderTest pkcs12 = GatewayUnderTest.start(settings.build())) {
      assertThat(pkcs12.gateway.implicitTlsPort()).isEqualTo(-1);
      FTPSClient client = client(false, pkcs12.port());
      try {
        assertThat(client.listNames()).isEmpty();
        assertThat(client.features()).isTrue();
        assertThat(client.getReplyString()).contains(" AUTH TLS", " PBSZ", " PROT");
      } finally {
        client.disconnect();
      }
    }
  }

  private static FtpSettings.Tls pemFiles(Path dir, boolean required, int implicitPort)
      throws Exception {
    return new FtpSettings.Tls(
        certificate.writeCertificatePem(dir.resolve("certificate.pem")),
        certificate.writePrivateKeyPem(dir.resolve("key.pem")),
        null,
        null,
        required,
        implicitPort);
  }

  private static FtpSettings.Tls pkcs12(Path dir, boolean required, int implicitPort)
      throws Exception {
    char[] password = "keystore-secret".toCharArray();
    Path keystore = certificate.writePkcs12(dir.resolve("keystore.p12"), password.clone());
    return new FtpSettings.Tls(null, null, keystore, password, required, implicitPort);
  }

  private static FTPSClient client(boolean implicit, int port) throws Exception {
    FTPSClient client = new FTPSClient(implicit);
    client.setTrustManager(certificate.trustManager());
    client.connect("127.0.0.1", port);
    assertThat(client.login("alice", TestUsers.PASSWORD)).as(client.getReplyString()).isTrue();
    client.execPBSZ(0);
    client.execPROT("P");
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }

  private static void roundTrip(FTPSClient client) throws Exception {
    try {
      byte[] content = Content.bytes(5, 3 << 20);
      String name = "tls-" + System.nanoTime() + ".bin";
      assertThat(client.storeFile(name, new ByteArrayInputStream(content)))
          .as(client.getReplyString())
          .isTrue();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(client.retrieveFile(name, out)).as(client.getReplyString()).isTrue();
      assertThat(Content.sha256(new ByteArrayInputStream(out.toByteArray())))
          .isEqualTo(Content.sha256(5, 3 << 20));
      assertThat(client.listNames()).contains(name);
    } finally {
      client.disconnect();
    }
  }
}
