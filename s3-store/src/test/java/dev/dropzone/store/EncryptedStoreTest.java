package dev.dropzone.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The store as the gateway uses it: a real local key service, the data-key cache and per-user key
 * resolution recording keys through the store itself, over a real S3 server.
 */
class EncryptedStoreTest {

  private static final byte[] MARKER = "PLAINTEXT-MARKER-7f3a".getBytes(StandardCharsets.US_ASCII);

  private static S3ProxyFixture server;
  private static ExecutorService blocking;

  @TempDir Path keys;
  private S3Settings settings;
  private StoreProcess gateway;

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
  void open() throws Exception {
    settings = server.bucket("store-it", "p" + System.nanoTime()).withPartSize(5 << 20);
    gateway = new StoreProcess(settings, keys.resolve("master.json"), blocking);
  }

  @AfterEach
  void close() {
    gateway.close();
  }

  @Test
  void aFileWrittenThroughTheTreeIsStoredEncryptedWithItsWrappedKeyAndReadsBack() throws Exception {
    FileTree tree = gateway.tree("alice");
    byte[] data = content(3 << 20);
    write(tree, "/report.csv", data);

    assertThat(read(tree, "/report.csv", 0)).isEqualTo(data);
    assertThat(read(tree, "/report.csv", 1_000_000))
        .isEqualTo(Arrays.copyOfRange(data, 1_000_000, data.length));
    assertThat(tree.stat(VirtualPath.of("/report.csv")).size()).isEqualTo(data.length);

    try (S3Client raw = S3Clients.create(settings)) {
      ResponseBytes<GetObjectResponse> object =
          raw.getObjectAsBytes(
              b -> b.bucket(settings.bucket()).key(settings.key("users/alice/report.csv")));
      Map<String, String> meta = object.response().metadata();
      assertThat(meta)
          .containsEntry(ObjectFormat.META_FORMAT, "2")
          .containsEntry(ObjectFormat.META_ALGORITHM, ObjectFormat.ALGORITHM)
          .containsEntry(ObjectFormat.META_USER, "alice")
          .containsEntry(ObjectFormat.META_DOMAIN, "users/alice")
          .containsEntry(ObjectFormat.META_KEY_REF, gateway.keyService.masterKeyId());
      assertThat(indexOf(object.asByteArray(), MARKER)).isEqualTo(-1);
      assertThat(object.asByteArray()).hasSize((int) ObjectFormat.ciphertextSize(data.length));

      // The key record sits in the reserved area and holds the same wrapped key as the object.
      String record =
          raw.getObjectAsBytes(
                  b -> b.bucket(settings.bucket()).key(settings.key(".dropzone/keys/alice.json")))
              .asUtf8String();
      assertThat(record).contains(meta.get(ObjectFormat.META_KEY));
    }
  }

  @Test
  void anotherGatewayOnTheSameBucketAndMasterKeyReusesTheRecordedUserKey() throws Exception {
    byte[] data = content(100_000);
    write(gateway.tree("bob"), "/a.bin", data);

    try (StoreProcess second = new StoreProcess(settings, keys.resolve("master.json"), blocking)) {
      FileTree tree = second.tree("bob");
      assertThat(read(tree, "/a.bin", 0)).isEqualTo(data);
      write(tree, "/b.bin", data);
      // Same user key: both objects carry the same wrapped key; no second record was made.
      try (S3Client raw = S3Clients.create(settings)) {
        String keyA = metadata(raw, "users/bob/a.bin").get(ObjectFormat.META_KEY);
        String keyB = metadata(raw, "users/bob/b.bin").get(ObjectFormat.META_KEY);
        assertThat(keyB).isEqualTo(keyA);
      }
    }
  }

  /**
   * A rename gives the object a new identity tag for its new path, which takes its data key: one
   * unwrap on a gateway that has not cached it (format v1 needed none; v2 changed that on purpose).
   */
  @Test
  void listingAndDeletingNeverNeedTheKeyServiceAndARenameUnwrapsOnce() throws Exception {
    byte[] data = content(10);
    write(gateway.tree("carol"), "/x.txt", data);

    try (StoreProcess fresh = new StoreProcess(settings, keys.resolve("master.json"), blocking)) {
      FileTree tree = fresh.tree("carol");
      try (var entries = tree.list(VirtualPath.ROOT)) {
        assertThat(entries.map(FileInfo::name)).containsExactly("x.txt");
      }
      tree.mkdir(VirtualPath.of("/dir"));
      assertThat(fresh.cache.stats().loads()).isZero();

      tree.rename(VirtualPath.of("/x.txt"), VirtualPath.of("/dir/y.txt"));
      assertThat(fresh.cache.stats().loads()).isEqualTo(1);
      assertThat(read(tree, "/dir/y.txt", 0)).isEqualTo(data);

      tree.delete(VirtualPath.of("/dir/y.txt"));
      tree.rmdir(VirtualPath.of("/dir"));
      assertThat(fresh.cache.stats().loads()).isEqualTo(1);
    }
  }

  @Test
  void resumingAnUploadThroughTheTreeKeepsThePrefixAndAppendsTheRest() throws Exception {
    FileTree tree = gateway.tree("dave");
    byte[] data = content(2_500_000);
    write(tree, "/big.bin", Arrays.copyOf(data, 1_200_000));

    try (Upload upload = tree.openWrite(VirtualPath.of("/big.bin"), 1_000_000)) {
      upload.stream().write(data, 1_000_000, data.length - 1_000_000);
      upload.commit();
    }
    assertThat(read(tree, "/big.bin", 0)).isEqualTo(data);
  }

  @Test
  void readingADirectoryOrAMissingFileFailsWithTheRightReason() throws Exception {
    FileTree tree = gateway.tree("erin");
    tree.mkdir(VirtualPath.of("/d"));
    assertThatThrownBy(() -> tree.openRead(VirtualPath.of("/d"), 0))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_FILE));
    assertThatThrownBy(() -> tree.openRead(VirtualPath.of("/nothing"), 0))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
  }

  @Test
  void usersCannotReachEachOthersFiles() throws Exception {
    write(gateway.tree("frank"), "/secret.txt", content(42));
    FileTree other = gateway.tree("grace");
    assertThatThrownBy(() -> other.openRead(VirtualPath.of("/secret.txt"), 0))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    assertThatThrownBy(() -> other.openRead(VirtualPath.of("/../frank/secret.txt"), 0))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_PATH));
  }

  private static void write(FileTree tree, String path, byte[] data) throws IOException {
    try (Upload upload = tree.openWrite(VirtualPath.of(path), 0)) {
      upload.stream().write(data);
      upload.commit();
    }
  }

  private static byte[] read(FileTree tree, String path, long offset) throws IOException {
    try (InputStream in = tree.openRead(VirtualPath.of(path), offset)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  private Map<String, String> metadata(S3Client raw, String rest) {
    return raw.headObject(b -> b.bucket(settings.bucket()).key(settings.key(rest))).metadata();
  }

  /** Pseudo-random bytes with the marker planted every 64 KiB. */
  private static byte[] content(int size) {
    byte[] data = new byte[size];
    new java.util.Random(size).nextBytes(data);
    for (int at = 0; at + MARKER.length <= size; at += 64 << 10) {
      System.arraycopy(MARKER, 0, data, at, MARKER.length);
    }
    return data;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
