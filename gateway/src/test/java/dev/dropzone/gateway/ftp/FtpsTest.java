package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.tls.TlsConfiguration;
import dev.dropzone.kek.testing.TestCertificate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FTPS, explicit and implicit, with TLS required: protected data connections must resume the
 * control connection's TLS session, so a second TLS session from the client's own address (a host
 * behind the same NAT) cannot take a transfer.
 */
class FtpsTest {

  @TempDir static Path dir;
  private static TestCertificate certificate;
  private static GatewayUnderTest gw;
  private static final List<FtpEvent> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startGateway() throws Exception {
    certificate = TestCertificate.forLoopback("dropzone-test");
    SettingsBuilder settings = new SettingsBuilder();
    settings.tls = pemFiles(dir, true, 0);
    gw = GatewayUnderTest.observed(settings.build(), events::add);
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
  void featIsAnsweredBeforeLoginSoClientsCanChooseAuthTls() throws Exception {
    FTPClient plain = new FTPClient();
    plain.connect("127.0.0.1", gw.port());
    try {
      assertThat(plain.features()).as(plain.getReplyString()).isTrue();
      assertThat(plain.getReplyString()).contains(" AUTH TLS", " PBSZ", " PROT", " EPSV");
    } finally {
      plain.disconnect();
    }
  }

  @Test
  void aDownloadCannotBeTakenByASecondTlsSessionFromTheSameAddress() throws Exception {
    FTPSClient victim = client(false, gw.port());
    try {
      byte[] secret = Content.bytes(11, 200_000);
      assertThat(victim.storeFile("secret.bin", new ByteArrayInputStream(secret))).isTrue();
      int port = passivePort(victim);
      // The attacker shares the victim's address and connects first, with a TLS session of its
      // own: everything checks out but the session.
      CompletableFuture<byte[]> stolen = attack(port, new byte[0]);

      assertThat(victim.sendCommand("RETR", "secret.bin")).isEqualTo(150);
      assertThat(victim.getReply()).isEqualTo(425);
      assertThat(victim.getReplyString())
          .contains("must resume this control connection's TLS session");
      assertThat(stolen.get(60, TimeUnit.SECONDS)).isEmpty();

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(victim.retrieveFile("secret.bin", out)).as(victim.getReplyString()).isTrue();
      assertThat(out.toByteArray()).isEqualTo(secret);
    } finally {
      victim.disconnect();
    }
  }

  /**
   * The attacker is a user too: it logs in over TLS on its own control connection, then offers that
   * TLS session for resumption on the victim's data connection. Each control connection has its own
   * TLS context, so the victim's data port cannot resume it, and a session other than the victim's
   * own is refused whatever the handshake.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void theAttackersOwnResumedTlsSessionCannotTakeADownload(String protocol) throws Exception {
    SSLContext own = SSLContext.getInstance(protocol);
    own.init(null, new TrustManager[] {certificate.trustManager()}, null);
    FTPSClient attacker = protectedSession(new ReusingFtpsClient(false, own), gw.port(), "bob");
    FTPSClient victim = client(false, gw.port());
    try {
      byte[] secret = Content.bytes(13, 200_000);
      assertThat(victim.storeFile("resumed.bin", new ByteArrayInputStream(secret))).isTrue();
      int port = passivePort(victim);

      Socket raw = new Socket("127.0.0.1", port);
      CompletableFuture<byte[]> stolen =
          CompletableFuture.supplyAsync(
              () -> {
                // Named by the control port, the JDK offers the attacker's control session.
                try (SSLSocket tls =
                    (SSLSocket)
                        own.getSocketFactory().createSocket(raw, "127.0.0.1", gw.port(), true)) {
                  tls.startHandshake();
                  return tls.getInputStream().readAllBytes();
                } catch (IOException e) {
                  return new byte[0];
                }
              });

      assertThat(victim.sendCommand("RETR", "resumed.bin")).isEqualTo(150);
      assertThat(victim.getReply()).isEqualTo(425);
      assertThat(victim.getReplyString())
          .contains("must resume this control connection's TLS session");
      assertThat(stolen.get(60, TimeUnit.SECONDS)).as("bytes the attacker got").isEmpty();
      assertThat(attacker.sendNoOp()).as("the attacker's own session is still fine").isTrue();

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(victim.retrieveFile("resumed.bin", out)).as(victim.getReplyString()).isTrue();
      assertThat(out.toByteArray()).isEqualTo(secret);
    } finally {
      victim.disconnect();
      attacker.disconnect();
    }
  }

  @Test
  void anUploadCannotBePlantedByASecondTlsSessionFromTheSameAddress() throws Exception {
    FTPSClient victim = client(false, gw.port());
    try {
      int port = passivePort(victim);
      CompletableFuture<byte[]> planted = attack(port, new byte[100_000]);

      assertThat(victim.sendCommand("STOR", "planted.bin")).isEqualTo(150);
      assertThat(victim.getReply()).isEqualTo(425);
      assertThat(planted.get(60, TimeUnit.SECONDS)).isEmpty();
      assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("planted.bin"));

      byte[] own = Content.bytes(12, 50_000);
      assertThat(victim.storeFile("own.bin", new ByteArrayInputStream(own)))
          .as(victim.getReplyString())
          .isTrue();
      assertThat(gw.objectKeys()).anyMatch(k -> k.endsWith("own.bin"));
    } finally {
      victim.disconnect();
    }
  }

  @Test
  void aClientThatNeverReusesSessionsIsToldWhyAndGetsInWhenReuseIsNotRequired(@TempDir Path other)
      throws Exception {
    FTPSClient noReuse = nonReusingClient(gw.port());
    try {
      assertThat(noReuse.listNames()).isNull();
      assertThat(noReuse.getReplyString())
          .startsWith("425 Data connection refused: it must resume this control connection's TLS")
          .contains("Python's ftplib");
    } finally {
      noReuse.disconnect();
    }

    try (GatewayUnderTest lenient = GatewayUnderTest.start(reuseNotRequired(other))) {
      FTPSClient client = nonReusingClient(lenient.port());
      try {
        assertThat(client.storeFile("x.bin", new ByteArrayInputStream(new byte[10])))
            .as(client.getReplyString())
            .isTrue();
        assertThat(client.listNames()).containsExactly("x.bin");
      } finally {
        client.disconnect();
      }
    }
  }

  /**
   * A client, or a man in the middle steering one, that takes only a CBC suite on its data
   * connection while the control connection is a sound TLS 1.3 session. The data connection's TLS
   * is set up apart from the control connection's, so it needs the same limits of its own: where
   * session reuse is not required nothing else would stop the file going out under a suite the
   * control connection never accepts. The certificate is EC, so these ECDSA suites are ones the
   * server could otherwise agree to; the same download with the JDK's default suites goes through,
   * so the refusals are the suites' doing.
   */
  @Test
  void aDataConnectionOfferingOnlyCbcSuitesGetsNothing(@TempDir Path other) throws Exception {
    try (GatewayUnderTest lenient = GatewayUnderTest.start(reuseNotRequired(other))) {
      FTPSClient client = nonReusingClient(lenient.port());
      try {
        byte[] secret = Content.bytes(14, 100_000);
        assertThat(client.storeFile("weak.bin", new ByteArrayInputStream(secret)))
            .as(client.getReplyString())
            .isTrue();
        assertThat(downloadOffering(client, "weak.bin", null))
            .as("with the default suites")
            .isEqualTo(secret);
        assertThat(client.getReplyCode()).isEqualTo(226);

        for (String suite :
            List.of(
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA")) {
          assertThat(downloadOffering(client, "weak.bin", suite).length)
              .as("bytes received offering only " + suite)
              .isZero();
          assertThat(client.getReplyString())
              .as(suite)
              .startsWith("425 TLS handshake on the data connection failed")
              .contains("forward-secret AEAD cipher");
        }
        assertThat(client.sendNoOp()).as("the control connection carries on").isTrue();
      } finally {
        client.disconnect();
      }
    }
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

  /**
   * A script that pipelines USER and PASS over plain FTP: the password must not reach the audit.
   */
  @Test
  void aPasswordRefusedForWantOfTlsIsNotAudited() throws Exception {
    String password = "pipelined-" + TestUsers.PASSWORD;
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.send("USER alice")).startsWith("530 TLS required");
      assertThat(control.send("PASS " + password)).startsWith("530 TLS required");
    }
    await()
        .untilAsserted(
            () ->
                assertThat(events)
                    .filteredOn(FtpEvent.Refused.class::isInstance)
                    .map(e -> (FtpEvent.Refused) e)
                    .filteredOn(e -> e.command().equals("PASS"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.path()).isNull()));
    assertThat(events).noneMatch(e -> e.toString().contains(password));
  }

  @Test
  void pbszAndProtOnAnUnprotectedConnectionSayToSendAuthTlsFirst() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      for (String command : new String[] {"PBSZ", "PROT"}) {
        assertThat(control.send(command + (command.equals("PBSZ") ? " 0" : " P")))
            .isEqualTo(
                "503 "
                    + command
                    + " is valid only on a protected connection: send AUTH TLS first, or connect"
                    + " to the implicit FTPS port");
      }
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
    return FtpSettings.Tls.pem(
        certificate.writeCertificatePem(dir.resolve("certificate.pem")),
        certificate.writePrivateKeyPem(dir.resolve("key.pem")),
        required,
        implicitPort);
  }

  /** Settings of a gateway that requires TLS but not session reuse on data connections. */
  private static FtpSettings reuseNotRequired(Path dir) throws Exception {
    FtpSettings.Tls pem = pemFiles(dir, true, -1);
    SettingsBuilder settings = new SettingsBuilder();
    settings.tls =
        SettingsBuilder.tlsWithoutSessionReuse(pem.certificatePem(), pem.privateKeyPem());
    return settings.build();
  }

  private static FtpSettings.Tls pkcs12(Path dir, boolean required, int implicitPort)
      throws Exception {
    char[] password = "keystore-secret".toCharArray();
    Path keystore = certificate.writePkcs12(dir.resolve("keystore.p12"), password.clone());
    return new FtpSettings.Tls(
        null,
        null,
        keystore,
        password,
        required,
        implicitPort,
        FtpSettings.DEFAULT_PROTOCOLS,
        true);
  }

  /**
   * A client that resumes the control connection's TLS session on data connections, as curl and
   * lftp do. TLS 1.2: the JDK's client uses a TLS 1.3 session ticket only once, and the gateway
   * hands out one per control connection (see ConnectionTls), so it could resume only once.
   */
  private static FTPSClient client(boolean implicit, int port) throws Exception {
    SSLContext context = SSLContext.getInstance("TLSv1.2");
    context.init(null, new TrustManager[] {certificate.trustManager()}, null);
    return protectedSession(new ReusingFtpsClient(implicit, context), port, "alice");
  }

  /** Commons Net as it comes: a new TLS session for every data connection. */
  private static FTPSClient nonReusingClient(int port) throws Exception {
    FTPSClient client = new FTPSClient(false);
    client.setTrustManager(certificate.trustManager());
    return protectedSession(client, port, "bob");
  }

  /** Logged in as {@code user}, data connections protected (PROT P), passive, binary. */
  private static FTPSClient protectedSession(FTPSClient client, int port, String user)
      throws Exception {
    client.connect("127.0.0.1", port);
    assertThat(client.login(user, TestUsers.PASSWORD)).as(client.getReplyString()).isTrue();
    client.execPBSZ(0);
    client.execPROT("P");
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }

  private static int passivePort(FTPSClient client) throws IOException {
    assertThat(client.sendCommand("EPSV")).isEqualTo(229);
    Matcher matcher = Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)").matcher(client.getReplyString());
    assertThat(matcher.find()).as(client.getReplyString()).isTrue();
    return Integer.parseInt(matcher.group(1));
  }

  /**
   * Connects to the victim's passive port from the same address with a TLS session of its own,
   * writes {@code upload}, then reads what the server sends; empty when the server cut it off.
   */
  private static CompletableFuture<byte[]> attack(int port, byte[] upload) throws Exception {
    SSLContext own = SSLContext.getInstance("TLS");
    own.init(null, new TrustManager[] {certificate.trustManager()}, null);
    Socket raw = new Socket("127.0.0.1", port);
    return CompletableFuture.supplyAsync(
        () -> {
          try (SSLSocket tls =
              (SSLSocket) own.getSocketFactory().createSocket(raw, "127.0.0.1", port, true)) {
            tls.startHandshake();
            tls.getOutputStream().write(upload);
            return tls.getInputStream().readAllBytes();
          } catch (IOException e) {
            return new byte[0];
          }
        });
  }

  /**
   * RETR of {@code name} over a TLS 1.2 data connection of this test's own that offers only {@code
   * suite} (null: the JDK's defaults); what arrived, empty when the handshake failed. The final
   * reply is left in {@code client}.
   */
  private static byte[] downloadOffering(FTPSClient client, String name, String suite)
      throws Exception {
    SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
    tls12.init(null, new TrustManager[] {certificate.trustManager()}, null);
    int port = passivePort(client);
    Socket raw = new Socket("127.0.0.1", port);
    CompletableFuture<byte[]> received =
        CompletableFuture.supplyAsync(
            () -> {
              try (SSLSocket tls =
                  (SSLSocket) tls12.getSocketFactory().createSocket(raw, "127.0.0.1", port, true)) {
                if (suite != null) {
                  tls.setEnabledCipherSuites(new String[] {suite});
                }
                tls.startHandshake();
                return tls.getInputStream().readAllBytes();
              } catch (IOException e) {
                return new byte[0];
              }
            });
    assertThat(client.sendCommand("RETR", name)).isEqualTo(150);
    client.getReply();
    return received.get(60, TimeUnit.SECONDS);
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
