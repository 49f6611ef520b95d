package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.metrics.GatewayMeters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** FTP meters scraped in Prometheus form after real sessions moved by exactly what happened. */
class FtpMetricsTest {

  private GatewayMeters meters;
  private GatewayUnderTest gateway;

  @BeforeEach
  void start() throws Exception {
    meters = new GatewayMeters();
    SettingsBuilder settings = new SettingsBuilder();
    settings.maxConnectionsPerIp = 3;
    gateway = GatewayUnderTest.start(settings.build(), meters.registry());
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    meters.close();
  }

  @Test
  void transfersLoginsAndRefusalsAreCountedInPrometheusForm() throws Exception {
    FTPClient guesser = gateway.connect();
    assertThat(guesser.login("alice", "wrong")).isFalse();
    assertThat(guesser.login("alice", "wrong again")).isFalse();
    guesser.disconnect();

    FTPClient alice = gateway.login("alice");
    await().until(() -> value("dropzone_ftp_connections_open", "") == 1);
    assertThat(alice.storeFile("a.bin", new ByteArrayInputStream(new byte[1000]))).isTrue();
    assertThat(alice.storeFile("b.bin", new ByteArrayInputStream(new byte[24]))).isTrue();
    alice.setRestartOffset(400);
    assertThat(alice.retrieveFile("a.bin", new ByteArrayOutputStream())).isTrue();
    assertThat(alice.retrieveFile("missing.bin", new ByteArrayOutputStream())).isFalse();
    await()
        .until(
            () ->
                value("dropzone_ftp_transfers_total", "direction=\"download\",result=\"refused\"")
                    == 1);

    // With alice's session open, two more connections from this address fill its limit of 3.
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Socket socket = new Socket("127.0.0.1", gateway.port());
      assertThat(greeting(socket)).startsWith("220");
      held.add(socket);
    }
    try (Socket refused = new Socket("127.0.0.1", gateway.port())) {
      assertThat(greeting(refused)).startsWith("421 Too many connections from your address");
    }
    assertThat(value("dropzone_ftp_connections_open", "")).isEqualTo(3);
    for (Socket socket : held) {
      socket.close();
    }
    alice.disconnect();

    await().until(() -> value("dropzone_ftp_connections_open", "") == 0);
    assertThat(value("dropzone_ftp_connections_total", "")).isEqualTo(4);
    assertThat(value("dropzone_ftp_connections_refused_total", "reason=\"address_limit\""))
        .isEqualTo(1);
    assertThat(value("dropzone_ftp_logins_total", "backend=\"test\",outcome=\"failed\""))
        .isEqualTo(2);
    assertThat(value("dropzone_ftp_logins_total", "backend=\"test\",outcome=\"ok\"")).isEqualTo(1);
    assertThat(value("dropzone_ftp_transfers_total", "direction=\"upload\",result=\"ok\""))
        .isEqualTo(2);
    assertThat(value("dropzone_ftp_transfers_total", "direction=\"download\",result=\"ok\""))
        .isEqualTo(1);
    assertThat(value("dropzone_ftp_transfer_bytes_total", "direction=\"upload\"")).isEqualTo(1024);
    assertThat(value("dropzone_ftp_transfer_bytes_total", "direction=\"download\"")).isEqualTo(600);
    assertThat(
            value(
                "dropzone_ftp_transfer_duration_seconds_count",
                "direction=\"upload\",result=\"ok\""))
        .isEqualTo(2);
    assertThat(
            value(
                "dropzone_ftp_transfer_duration_seconds_bucket",
                "direction=\"upload\",result=\"ok\",le=\"+Inf\""))
        .isEqualTo(2);
    assertThat(value("dropzone_ftp_transfer_first_byte_seconds_count", "direction=\"download\""))
        .isEqualTo(1);
    assertThat(meters.scrape()).contains("dropzone_ftp_password_check_wait_seconds_count");
    assertThat(meters.scrape())
        .doesNotContain("alice")
        .doesNotContain("a.bin")
        .doesNotContain("127.0.0.1");
  }

  private static String greeting(Socket socket) throws java.io.IOException {
    return new java.io.BufferedReader(
            new java.io.InputStreamReader(
                socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
        .readLine();
  }

  /** The value of the series {@code name{labels}} in the scrape, 0 when it is not there. */
  private double value(String name, String labels) {
    Matcher m =
        Pattern.compile(
                "^"
                    + Pattern.quote(name)
                    + (labels.isEmpty() ? "" : "\\{" + Pattern.quote(labels) + ",?\\}")
                    + " (\\S+)$",
                Pattern.MULTILINE)
            .matcher(meters.scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
