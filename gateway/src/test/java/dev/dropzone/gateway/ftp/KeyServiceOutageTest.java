package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.eaas.EaasKeyService;
import dev.dropzone.kek.eaas.EaasSettings;
import dev.dropzone.kek.http.HttpSettings;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * With the key service down, uploads fail with a clear 451 while browsing keeps working. The key
 * service is a real HTTP client (EaaS) pointed at a loopback port nobody listens on.
 */
class KeyServiceOutageTest {

  @Test
  void uploadsGetA451AndListingStillWorks() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    HttpSettings quick =
        HttpSettings.defaults()
            .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1))
            .withRetries(1, Duration.ofMillis(50), Duration.ofMillis(50))
            .withMaxInFlight(4);
    EaasKeyService eaas =
        EaasKeyService.open(
            EaasSettings.of(URI.create("http://127.0.0.1:" + closedPort), "dropzone/master", 1)
                .withToken("never-sent")
                .withHttp(quick));
    ExecutorService blocking = Executors.newFixedThreadPool(2);
    try (GatewayUnderTest gw =
        GatewayUnderTest.start(
            new SettingsBuilder().build(),
            store ->
                UserKeys.builder(
                        eaas, DataKeyCache.builder(eaas).build(), store.keyRecords(), blocking)
                    .build())) {
      FTPClient client = gw.login("alice");
      try {
        assertThat(client.storeFile("needs-a-key.txt", new ByteArrayInputStream(new byte[100])))
            .isFalse();
        assertThat(client.getReplyString())
            .startsWith("451 Key service unavailable, try again later");

        assertThat(client.makeDirectory("still-works")).isTrue();
        assertThat(client.listNames()).containsExactly("still-works");
      } finally {
        client.disconnect();
      }
      assertThat(gw.objectKeys()).noneMatch(k -> k.endsWith("needs-a-key.txt"));
      assertThat(gw.pendingUploads()).isEmpty();
    } finally {
      blocking.shutdownNow();
      eaas.close();
    }
  }
}
