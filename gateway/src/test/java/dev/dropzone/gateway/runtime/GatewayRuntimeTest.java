package dev.dropzone.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Graceful stop through the runtime: a transfer that outlives the grace period leaves nothing. */
class GatewayRuntimeTest {

  @TempDir Path dir;

  /**
   * The idle timeout stays at its 5-minute default, so a stop that only "aborts" once the blocked
   * data read times out runs into the hang guard instead of passing slowly.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void closingAbortsATransferThatOutlivesTheGraceAndLeavesNoUploadBehind() throws Exception {
    try (S3ProxyFixture s3 = S3ProxyFixture.inMemory()) {
      s3.bucket("graceful", "");
      GatewaySettings settings =
          GatewaySettings.from(
              new ConfigLoader()
                  .overrides(
                      Map.of(
                          "s3.endpoint", s3.endpoint().toString(),
                          "s3.bucket", "graceful",
                          "s3.accessKeyId", S3ProxyFixture.ACCESS_KEY,
                          "s3.secretAccessKey", S3ProxyFixture.SECRET_KEY,
                          "s3.partSize", "5MiB",
                          "keys.keysetFile", "keyset.json",
                          "ftp.port", "0",
                          "ftp.passivePorts", "0",
                          "ftp.shutdownGrace", "1s"),
                      "test")
                  .load(),
              dir);
      LocalKeyService.create(dir.resolve("keyset.json"));
      UsersFile users = new UsersFile(settings.usersFile());
      users.write(
          List.of(UserEntry.of("frank", PasswordHashes.hash("frank-password".toCharArray()))));
      GatewayRuntime runtime = GatewayRuntime.start(settings, new FileAuthenticator(users));

      CountDownLatch release = new CountDownLatch(1);
      FTPClient ftp = new FTPClient();
      ftp.connect("127.0.0.1", runtime.ftpPort());
      assertThat(ftp.login("frank", "frank-password")).isTrue();
      ftp.enterLocalPassiveMode();
      ftp.setFileType(FTP.BINARY_FILE_TYPE);
      CompletableFuture<Boolean> upload =
          CompletableFuture.supplyAsync(
              () -> {
                try (OutputStream out = ftp.storeFileStream("cut.bin")) {
                  byte[] chunk = new byte[1 << 20];
                  for (int i = 0; i < 12; i++) {
                    out.write(chunk);
                  }
                  out.flush();
                  release.await();
                  out.write(chunk);
                } catch (IOException e) {
                  return false;
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return false;
                }
                try {
                  return ftp.completePendingCommand();
                } catch (IOException e) {
                  return false;
                }
              });

      try (S3Client client = S3Clients.create(settings.s3())) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> !client.listMultipartUploads(b -> b.bucket("graceful")).uploads().isEmpty());

        runtime.close();
        release.countDown();

        assertThat(upload.get(60, TimeUnit.SECONDS))
            .as("the cut-off upload must not succeed")
            .isFalse();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(client.listMultipartUploads(b -> b.bucket("graceful")).uploads())
                        .isEmpty());
        assertThat(client.listObjectsV2(b -> b.bucket("graceful").prefix("users/")).contents())
            .isEmpty();
      }
    }
  }
}
