package dev.dropzone.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.S3RequestCounter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The start-up requests ({@link EncryptedStore#warmUp}) against a real S3 server: they are the
 * read-only requests of a first session, they change nothing in the bucket, and neither a bucket
 * writer's damaged key record nor an S3 that does not answer stops a gateway from starting.
 */
class StoreWarmUpTest {

  private static final Duration WITHIN = Duration.ofSeconds(5);

  private static S3ProxyFixture server;
  private static ExecutorService blocking;

  @TempDir Path keys;
  private S3Settings settings;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyFixture.inMemory();
    blocking = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() throws Exception {
    blocking.shutdownNow();
    server.close();
  }

  @BeforeEach
  void prefix() {
    settings = server.bucket("warm-up", "p" + System.nanoTime());
  }

  @Test
  void readsAKeyRecordAsALoginDoesAndChangesNothing() throws Exception {
    try (StoreProcess gateway = new StoreProcess(settings, keys.resolve("master.json"), blocking)) {
      FileTree tree = gateway.tree("alice");
      try (Upload upload = tree.openWrite(VirtualPath.of("/a.txt"), 0)) {
        upload.stream().write("hello".getBytes(StandardCharsets.UTF_8));
        upload.commit();
      }
    }
    Map<String, String> before = objects();
    S3RequestCounter requests = new S3RequestCounter();

    try (EncryptedStore restarted = EncryptedStore.open(settings, FormatPolicy.DEFAULT, requests)) {
      assertThat(restarted.warmUp(WITHIN)).isEmpty();
    }

    assertThat(requests.counts())
        .isEqualTo(Map.of("ListObjectsV2", 1, "GetObject", 1, "HeadObject", 1));
    assertThat(objects()).isEqualTo(before);
  }

  @Test
  void aBucketWithoutKeyRecordsCostsAListingAndAHead() {
    S3RequestCounter requests = new S3RequestCounter();

    try (EncryptedStore store = EncryptedStore.open(settings, FormatPolicy.DEFAULT, requests)) {
      assertThat(store.warmUp(WITHIN)).isEmpty();
    }

    assertThat(requests.counts()).isEqualTo(Map.of("ListObjectsV2", 1, "HeadObject", 1));
    assertThat(objects()).isEmpty();
  }

  @Test
  void aDamagedKeyRecordIsLeftToTheLoginThatReadsIt() {
    try (S3Client raw = S3Clients.create(settings)) {
      raw.putObject(
          b -> b.bucket(settings.bucket()).key(settings.key(".dropzone/keys/mallory.json")),
          RequestBody.fromString("{not a key record"));
    }
    Map<String, String> before = objects();

    try (EncryptedStore store = EncryptedStore.open(settings)) {
      assertThat(store.warmUp(WITHIN)).isEmpty();
    }

    assertThat(objects()).isEqualTo(before);
  }

  @Test
  void anS3ThatDoesNotAnswerIsReportedWithinTheTimeNotThrown() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    S3Settings nowhere =
        S3Settings.of(
            URI.create("http://127.0.0.1:" + closedPort),
            S3ProxyFixture.REGION,
            S3ProxyFixture.ACCESS_KEY,
            S3ProxyFixture.SECRET_KEY,
            "warm-up",
            "p");

    try (EncryptedStore store = EncryptedStore.open(nowhere)) {
      Optional<String> problem =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30), () -> store.warmUp(Duration.ofSeconds(2)));
      assertThat(problem).hasValueSatisfying(p -> assertThat(p).isNotBlank());
    }
  }

  /** Every object under the test's prefix with its ETag. */
  private Map<String, String> objects() {
    Map<String, String> objects = new TreeMap<>();
    try (S3Client raw = S3Clients.create(settings)) {
      raw.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(settings.prefix() + "/"))
          .contents()
          .forEach(o -> objects.put(o.key(), o.eTag()));
    }
    return objects;
  }
}
