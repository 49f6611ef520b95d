package dev.dropzone.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.testing.FakeTicker;
import dev.dropzone.kek.vault.VaultTransitKeyService;
import dev.dropzone.kek.vault.VaultTransitProtocolServer;
import dev.dropzone.kek.vault.VaultTransitSettings;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A master key deleted in Vault stops new transfers once the cached keys expire, with the refusal
 * named as such (never as an outage). Expiry is driven by a fake ticker, not by waiting.
 */
class KeyRevocationTest {

  private static final Duration TTL = Duration.ofMinutes(15);

  @Test
  void deletedMasterKeyRefusesTransfersAfterTheCacheTtl() throws Exception {
    ExecutorService blocking = Executors.newFixedThreadPool(2);
    FakeTicker ticker = new FakeTicker();
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory();
        VaultTransitProtocolServer vault = VaultTransitProtocolServer.start("transit", "s.token");
        VaultTransitKeyService keyService =
            VaultTransitKeyService.open(
                VaultTransitSettings.of(vault.uri(), "dropzone", "s.token"));
        EncryptedStore store = EncryptedStore.open(s3.bucket("revoked", ""))) {
      vault.createKey("dropzone", false);
      UserKeys keys =
          UserKeys.builder(
                  keyService,
                  DataKeyCache.builder(keyService).maximumAge(TTL).ticker(ticker).build(),
                  store.keyRecords(),
                  blocking)
              .timeToLive(TTL)
              .ticker(ticker)
              .build();
      FileTree tree = store.tree("alice", "users/alice", keys);
      write(tree, "report.txt", "quarterly numbers");

      vault.deleteKey("dropzone");

      assertThat(read(tree, "report.txt"))
          .as("within the TTL the cached key still works")
          .isEqualTo("quarterly numbers");

      ticker.advance(TTL.plusSeconds(1));

      assertThatThrownBy(() -> read(tree, "report.txt"))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_REJECTED))
          .hasMessage("The key service refused this file's key");
      assertThatThrownBy(() -> write(tree, "next.txt", "more"))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_REJECTED));
      assertThat(tree.list(VirtualPath.ROOT).map(FileInfo::name))
          .as("listing never needs the key service")
          .containsExactly("report.txt");
    } finally {
      blocking.shutdownNow();
    }
  }

  private static void write(FileTree tree, String name, String text) throws Exception {
    try (Upload upload = tree.openWrite(VirtualPath.of(name), 0)) {
      upload.stream().write(text.getBytes(StandardCharsets.UTF_8));
      upload.commit();
    }
  }

  private static String read(FileTree tree, String name) throws Exception {
    try (InputStream in = tree.openRead(VirtualPath.of(name), 0)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
