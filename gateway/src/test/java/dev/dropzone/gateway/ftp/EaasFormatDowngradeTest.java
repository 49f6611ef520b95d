package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.eaas.EaasKeyService;
import dev.dropzone.kek.eaas.EaasProtocolServer;
import dev.dropzone.kek.eaas.EaasSettings;
import dev.dropzone.store.FormatPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the EaaS provider (RSA over its HTTP API, spoken by {@link EaasProtocolServer}), a format v1
 * key carries no binding: a bucket writer with an FTP account who relabels another home's v2 file
 * as a v1 file of their own, its wrapped key stripped of the binding tag, gets it unwrapped. So v1
 * is off by default with this provider ({@code GatewaySettings.formats}); these tests show the
 * attack refused with v1 off, and what turning it on exposes (the start-up warning names it).
 */
class EaasFormatDowngradeTest {

  private static final byte[] SECRET = "alice's quarterly figures".getBytes();

  private EaasProtocolServer server;
  private EaasKeyService eaas;
  private ExecutorService blocking;

  @BeforeEach
  void startKeyService() throws Exception {
    server = EaasProtocolServer.start("");
    server.createSecret("dropzone/master", 1);
    eaas =
        EaasKeyService.open(
            EaasSettings.of(server.uri(), "dropzone/master", 1).withToken(server.token()));
    blocking = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void stopKeyService() {
    blocking.shutdownNow();
    eaas.close();
    server.close();
  }

  @Test
  void anotherHomesFileRelabelledAsAV1FileIsRefusedWithV1Off() throws Exception {
    try (GatewayUnderTest gw = gateway(new FormatPolicy(false))) {
      relabelAliceFileIntoBobsHome(gw);

      FTPClient bob = gw.login("bob");
      try {
        assertThat(bob.retrieveFile("stolen.txt", new ByteArrayOutputStream())).isFalse();
        assertThat(bob.getReplyString()).startsWith("550").contains("keys upgrade");
      } finally {
        bob.disconnect();
      }
    }
  }

  @Test
  void withV1OnTheRelabelledFileOpensInTheOtherHome() throws Exception {
    try (GatewayUnderTest gw = gateway(new FormatPolicy(true))) {
      relabelAliceFileIntoBobsHome(gw);

      FTPClient bob = gw.login("bob");
      try {
        ByteArrayOutputStream stolen = new ByteArrayOutputStream();
        assertThat(bob.retrieveFile("stolen.txt", stolen)).as(bob.getReplyString()).isTrue();
        assertThat(stolen.toByteArray())
            .as("why keys.acceptFormatV1 is off by default with eaas")
            .isEqualTo(SECRET);
      } finally {
        bob.disconnect();
      }
    }
  }

  private GatewayUnderTest gateway(FormatPolicy formats) throws Exception {
    return GatewayUnderTest.start(
        store ->
            UserKeys.builder(eaas, DataKeyCache.builder(eaas).build(), store.keyRecords(), blocking)
                .build(),
        formats);
  }

  /** What the attacker does with write access to the bucket: a copy with v1 metadata. */
  private static void relabelAliceFileIntoBobsHome(GatewayUnderTest gw) throws Exception {
    FTPClient alice = gw.login("alice");
    try {
      assertThat(alice.storeFile("secret.txt", new ByteArrayInputStream(SECRET))).isTrue();
    } finally {
      alice.disconnect();
    }
    UnboundV1Relabel.copy(
        gw.rawClient(),
        GatewayUnderTest.BUCKET,
        GatewayUnderTest.key("alice", "secret.txt"),
        GatewayUnderTest.key("bob", "stolen.txt"),
        "bob");
  }
}
