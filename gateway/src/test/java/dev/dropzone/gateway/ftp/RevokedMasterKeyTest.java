package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.testing.FakeTicker;
import dev.dropzone.kek.vault.VaultTransitKeyService;
import dev.dropzone.kek.vault.VaultTransitProtocolServer;
import dev.dropzone.kek.vault.VaultTransitSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * A master key deleted in the key service stops a user who downloads every minute, through the real
 * FTP server, within the cache's maximum age plus one background unwrap: the key's age counts from
 * its unwrap, not from its last use. The clock is a fake ticker; the key service speaks Vault
 * Transit's protocol.
 */
class RevokedMasterKeyTest {

  private static final Duration MAX_AGE = Duration.ofMinutes(15);

  @Test
  void aUserActiveEveryMinuteIsRefusedWithinTheMaximumAgeOfTheKey() throws Exception {
    FakeTicker ticker = new FakeTicker();
    ExecutorService blocking = Executors.newFixedThreadPool(2);
    try (VaultTransitProtocolServer vault = VaultTransitProtocolServer.start("transit", "s.token");
        VaultTransitKeyService keyService =
            VaultTransitKeyService.open(
                VaultTransitSettings.of(vault.uri(), "dropzone", "s.token"))) {
      vault.createKey("dropzone", false);
      try (GatewayUnderTest gw =
          GatewayUnderTest.start(
              new SettingsBuilder().build(),
              store ->
                  UserKeys.builder(
                          keyService,
                          DataKeyCache.builder(keyService)
                              .maximumAge(MAX_AGE)
                              .ticker(ticker)
                              .build(),
                          store.keyRecords(),
                          blocking)
                      .timeToLive(MAX_AGE)
                      .ticker(ticker)
                      .build())) {
        FTPClient alice = gw.login("alice");
        try {
          byte[] report = "quarterly numbers".getBytes(StandardCharsets.UTF_8);
          assertThat(alice.storeFile("report.txt", new ByteArrayInputStream(report))).isTrue();
          for (int minute = 1; minute <= 5; minute++) {
            ticker.advance(Duration.ofMinutes(1));
            assertThat(retrieve(alice)).as("minute %d", minute).isEqualTo(report);
          }

          vault.deleteKey("dropzone");

          Duration refusedAfter = null;
          for (Duration since = Duration.ZERO;
              since.compareTo(MAX_AGE.multipliedBy(3)) < 0 && refusedAfter == null; ) {
            ticker.advance(Duration.ofMinutes(1));
            since = since.plusMinutes(1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (alice.retrieveFile("report.txt", out)) {
              assertThat(out.toByteArray()).isEqualTo(report);
            } else {
              assertThat(alice.getReplyString()).startsWith("550 Key service refused");
              assertThat(out.size()).as("no byte of a refused file").isZero();
              refusedAfter = since;
            }
          }
          assertThat(refusedAfter)
              .as("refused within the maximum age plus one background unwrap")
              .isNotNull()
              .isLessThanOrEqualTo(MAX_AGE.plus(MAX_AGE.dividedBy(2)));
        } finally {
          alice.disconnect();
        }
      }
    } finally {
      blocking.shutdownNow();
    }
  }

  private static byte[] retrieve(FTPClient client) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(client.retrieveFile("report.txt", out)).as(client.getReplyString()).isTrue();
    return out.toByteArray();
  }
}
