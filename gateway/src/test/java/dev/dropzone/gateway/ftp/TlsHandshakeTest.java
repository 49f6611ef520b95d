package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.testing.OpensslClient;
import dev.dropzone.kek.testing.TestCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /**
   * TLS 1.3 session tickets: one for the control connection, none for a data connection that
   * resumes it (a ticket there went unread by lftp, whose close then reset the connection and cut
   * uploads short). openssl s_client drives the control connection by hand and resumes its session
   * on the data connection, as curl and lftp do.
   */
  @Test
  void aControlConnectionGetsOneTls13TicketAndItsResumedDataConnectionNone() throws Exception {
    Path session = dir.resolve("control-session.pem");
    Process control =
        OpensslClient.sClient(
            "-connect",
            "127.0.0.1:" + gw.port(),
            "-starttls",
            "ftp",
            "-tls1_3",
            "-nocommands",
            "-sess_out",
            session.toString());
    List<String> controlLines = new ArrayList<>();
    CompletableFuture<Void> controlReader = OpensslClient.readAll(control, controlLines);
    try (OutputStream commands = control.getOutputStream()) {
      send(commands, "USER alice");
      send(commands, "PASS " + TestUsers.PASSWORD);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> OpensslClient.line(controlLines, "230 ") != null);
      send(commands, "PBSZ 0");
      send(commands, "PROT P");
      send(commands, "EPSV");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> OpensslClient.line(controlLines, "229 ") != null);
      Matcher epsv =
          Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)")
              .matcher(OpensslClient.line(controlLines, "229 "));
      assertThat(epsv.find()).isTrue();

      Process data =
          OpensslClient.sClient(
              "-connect",
              "127.0.0.1:" + epsv.group(1),
              "-tls1_3",
              "-nocommands",
              "-sess_in",
              session.toString());
      List<String> dataLines = new ArrayList<>();
      CompletableFuture<Void> dataReader = OpensslClient.readAll(data, dataLines);
      send(commands, "NLST");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> OpensslClient.line(controlLines, "226 ") != null);
      assertThat(data.waitFor(30, TimeUnit.SECONDS)).as("the server ended the listing").isTrue();
      dataReader.get(10, TimeUnit.SECONDS);
      send(commands, "QUIT");

      synchronized (dataLines) {
        assertThat(dataLines)
            .as("the data connection resumed the control's session")
            .anySatisfy(l -> assertThat(l).startsWith("Reused, TLSv1.3"));
        assertThat(dataLines).noneSatisfy(l -> assertThat(l).contains("New Session Ticket"));
      }
    } finally {
      control.destroy();
      control.waitFor(30, TimeUnit.SECONDS);
    }
    controlReader.get(10, TimeUnit.SECONDS);
    synchronized (controlLines) {
      assertThat(controlLines.stream().filter(l -> l.contains("New Session Ticket arrived")))
          .as(String.join("\n", controlLines))
          .hasSize(1);
    }
  }

  private static void send(OutputStream commands, String line) throws IOException {
    commands.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    commands.flush();
  }
}
