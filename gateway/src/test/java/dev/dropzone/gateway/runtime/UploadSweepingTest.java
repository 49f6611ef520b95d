package dev.dropzone.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dropzone.gateway.config.ConfigLoader;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.PasswordHashes;
import dev.dropzone.gateway.users.UserEntry;
import dev.dropzone.gateway.users.UsersFile;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.FaultyTcpProxy;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.transfer.UploadHousekeeping;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * The stale-upload sweep as background housekeeping of a running gateway: it never keeps the
 * gateway from starting, sweeps while it runs, and stays inside the key space Dropzone owns.
 */
class UploadSweepingTest {

  private static final String BUCKET = "sweeping";

  @TempDir Path dir;

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger sweeperLog = (Logger) LoggerFactory.getLogger(UploadHousekeeping.class);
  private S3ProxyFixture s3;
  private S3Client raw;

  @BeforeEach
  void start() throws Exception {
    log.start();
    sweeperLog.addAppender(log);
    s3 = S3ProxyFixture.inMemory();
    raw = S3Clients.create(s3.bucket(BUCKET, ""));
  }

  @AfterEach
  void stop() throws Exception {
    sweeperLog.detachAppender(log);
    raw.close();
    s3.close();
  }

  @Test
  void aGatewayStartsAndServesWhileListingUploadsFailsAndSweepsOnceItWorks() throws Exception {
    try (FaultyTcpProxy proxy = FaultyTcpProxy.inFrontOf(s3.endpoint())) {
      // After a crash some servers answer ListMultipartUploads with 500 for a while.
      proxy.failRequests(line -> line.startsWith("GET ") && line.contains("?uploads"), 500);
      String stale = "dz/users/frank/left-behind.bin";
      startUpload(stale);
      String[] foreign = {"dzz/users/frank/not-ours.bin", "other-application/not-ours.bin"};
      for (String key : foreign) {
        startUpload(key);
      }

      try (GatewayRuntime gateway = start(proxy.endpoint().toString(), "dz")) {
        FTPClient frank = login(gateway, "frank");
        assertThat(frank.storeFile("served.txt", new ByteArrayInputStream(new byte[7]))).isTrue();
        assertThat(frank.listNames()).containsExactly("served.txt");
        await()
            .untilAsserted(
                () ->
                    assertThat(lines(Level.WARN))
                        .anySatisfy(
                            line ->
                                assertThat(line)
                                    .startsWith("Could not sweep stale multipart uploads: ")
                                    .contains("HTTP 500 InternalError")
                                    .contains("s3:ListBucketMultipartUploads")
                                    .contains("the next sweep tries again")));
        assertThat(pendingKeys()).contains(stale);

        proxy.stopFailingRequests();

        await().atMost(Duration.ofSeconds(60)).until(() -> !pendingKeys().contains(stale));
        // The sweep says so once it has returned, a moment after S3 dropped the upload.
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(lines(Level.INFO))
                        .contains("Sweeping unfinished uploads works again"));

        // Left behind while the gateway runs: swept once older than the stale age.
        String later = "dz/users/frank/cut-off-later.bin";
        startUpload(later);
        await().atMost(Duration.ofSeconds(60)).until(() -> !pendingKeys().contains(later));
        // Outside the prefix nothing is touched, also where a key merely starts like it.
        int sweeps = sweeps();
        await().until(() -> sweeps() >= sweeps + 2);
        assertThat(pendingKeys()).containsExactlyInAnyOrder(foreign);
        frank.disconnect();
      }
    }
  }

  @Test
  void withoutAPrefixOnlyHomesAreSwept() throws Exception {
    startUpload("users/frank/stale.bin");
    startUpload("homes/carol/stale.bin"); // carol's home is set in the users file
    startUpload("other-application/not-ours.bin");

    try (GatewayRuntime gateway = start(s3.endpoint().toString(), "")) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !pendingKeys().contains("users/frank/stale.bin"));
      int sweeps = sweeps();
      await().until(() -> sweeps() >= sweeps + 2);
      assertThat(pendingKeys())
          .containsExactlyInAnyOrder("homes/carol/stale.bin", "other-application/not-ours.bin");

      login(gateway, "carol").disconnect();

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !pendingKeys().contains("homes/carol/stale.bin"));
      int later = sweeps();
      await().until(() -> sweeps() >= later + 2);
      assertThat(pendingKeys()).containsExactly("other-application/not-ours.bin");
    }
  }

  private GatewayRuntime start(String endpoint, String prefix) throws Exception {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("s3.endpoint", endpoint);
    overrides.put("s3.bucket", BUCKET);
    overrides.put("s3.prefix", prefix);
    overrides.put("s3.accessKeyId", S3ProxyFixture.ACCESS_KEY);
    overrides.put("s3.secretAccessKey", S3ProxyFixture.SECRET_KEY);
    overrides.put("keys.keysetFile", "keyset.json");
    overrides.put("ftp.port", "0");
    overrides.put("ftp.passivePorts", "0");
    overrides.put("uploads.staleUploadAge", "1s");
    overrides.put("uploads.sweepInterval", "1s");
    if (!Files.exists(dir.resolve("keyset.json"))) {
      LocalKeyService.create(dir.resolve("keyset.json"));
    }
    GatewaySettings settings =
        GatewaySettings.from(new ConfigLoader().overrides(overrides, "test").load(), dir);
    UsersFile users = new UsersFile(settings.usersFile());
    String hash = PasswordHashes.hash("a-good-password".toCharArray());
    users.write(
        List.of(
            UserEntry.of("frank", hash), new UserEntry("carol", hash, "homes/carol", null, false)));
    return GatewayRuntime.start(settings, new FileAuthenticator(users));
  }

  private static FTPClient login(GatewayRuntime gateway, String user) throws Exception {
    FTPClient ftp = new FTPClient();
    ftp.connect("127.0.0.1", gateway.ftpPort());
    assertThat(ftp.login(user, "a-good-password")).isTrue();
    ftp.enterLocalPassiveMode();
    ftp.setFileType(FTP.BINARY_FILE_TYPE);
    return ftp;
  }

  private void startUpload(String key) {
    raw.createMultipartUpload(b -> b.bucket(BUCKET).key(key));
  }

  private List<String> pendingKeys() {
    return raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
        .map(MultipartUpload::key)
        .toList();
  }

  private int sweeps() {
    return (int)
        events().stream()
            .filter(e -> e.getFormattedMessage().startsWith("Swept unfinished uploads"))
            .count();
  }

  private List<String> lines(Level level) {
    return events().stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  /** A copy of what was logged so far (appenders are written to from the server's threads). */
  private List<ILoggingEvent> events() {
    synchronized (log) {
      return new java.util.ArrayList<>(log.list);
    }
  }
}
