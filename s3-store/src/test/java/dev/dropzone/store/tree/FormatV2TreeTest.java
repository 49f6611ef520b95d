package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.FormatPolicy;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import dev.dropzone.store.testing.V1Objects;
import dev.dropzone.store.transfer.ObjectTransfers;
import dev.dropzone.store.transfer.SessionKeys;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What format v2 adds to the tree, on a real S3 server: renames (also by multipart copy) re-tag
 * objects for their new path, the plaintext digest kept at upload, the modification time set later,
 * and format v1 objects beside them.
 */
class FormatV2TreeTest {

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final RecordingInterceptor RECORDER = new RecordingInterceptor();
  private static final ObjectCopier.Limits SMALL_COPY_PARTS =
      new ObjectCopier.Limits(5L << 20, 5L << 20);

  private static S3ProxyFixture server;
  private static S3Settings bucket;
  private static S3Client s3;
  private static TreeRequests checks;

  private S3Settings settings;
  private ObjectTransfers transfers;
  private ObjectTransfers v2Only;
  private TestKeys keys;
  private S3FileTree alice;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyFixture.inMemory();
    bucket = server.bucket("format-v2", "").withPartSize(S3Settings.MIN_PART_SIZE);
    s3 = RECORDER.client(bucket);
    checks = new TreeRequests(2);
  }

  @AfterAll
  static void stopServer() throws Exception {
    checks.close();
    s3.close();
    server.close();
  }

  @BeforeEach
  void freshPrefix() {
    settings = bucket.withPrefix("run" + RUNS.incrementAndGet());
    // Per prefix, as in a gateway: digest records live under the store's own prefix.
    transfers = new ObjectTransfers(s3, settings);
    v2Only = new ObjectTransfers(s3, settings, new FormatPolicy(false), Clock.systemUTC());
    keys = new TestKeys();
    alice = tree("alice", "users/alice", transfers);
    RECORDER.reset();
  }

  @AfterEach
  void closeTransfers() {
    v2Only.close();
    transfers.close();
  }

  // ---- rename

  @Test
  void aLargeFileRenamedByMultipartCopyIsReTaggedForItsNewPathAndStaysReadable() throws Exception {
    byte[] data = content(12 << 20, 1);
    write(alice, "/big.bin", data);
    alice.mkdir(path("/archive"));
    RECORDER.reset();

    alice.rename(path("/big.bin"), path("/archive/big-2026.bin"));

    assertThat(RECORDER.count("UploadPartCopy")).isEqualTo(3);
    assertThat(RECORDER.count("CopyObject")).isZero();
    assertThat(read(alice, "/archive/big-2026.bin")).isEqualTo(data);
    assertThat(metadata("users/alice/archive/big-2026.bin").get(ObjectFormat.META_TAG))
        .isNotEqualTo(null);
    assertThat(s3.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads()).isEmpty();
  }

  @Test
  void aDirectoryRenameReTagsEveryFileBelowIt() throws Exception {
    alice.mkdir(path("/src"));
    alice.mkdir(path("/src/sub"));
    byte[] big = content(6 << 20, 2);
    byte[] small = content(100, 3);
    write(alice, "/src/big.bin", big);
    write(alice, "/src/sub/small.txt", small);

    alice.rename(path("/src"), path("/dst"));

    assertThat(read(alice, "/dst/big.bin")).isEqualTo(big);
    assertThat(read(alice, "/dst/sub/small.txt")).isEqualTo(small);
    assertThat(RECORDER.count("UploadPartCopy"))
        .as("6 MiB is above the small test limit")
        .isEqualTo(2);
  }

  @Test
  void aFileCopiedToAnotherPathInStorageCannotBeLaunderedByARename() throws Exception {
    write(alice, "/a.txt", content(100, 4));
    s3.copyObject(
        b ->
            b.sourceBucket(settings.bucket())
                .sourceKey(settings.key("users/alice/a.txt"))
                .destinationBucket(settings.bucket())
                .destinationKey(settings.key("users/alice/b.txt")));

    assertThatThrownBy(() -> alice.rename(path("/b.txt"), path("/c.txt")))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
        .hasMessageContaining("does not match its name");
    assertThat(keysUnder("users/alice/")).doesNotContain(settings.key("users/alice/c.txt"));
  }

  @Test
  void aFileChangedBetweenItsLookUpAndItsCopyIsNotRenamedWithStaleMetadata() throws Exception {
    write(alice, "/a.txt", content(100, 5));
    ObjectCopier copier =
        new ObjectCopier(
            s3,
            settings.bucket(),
            ObjectCopier.Limits.S3,
            (source, target, metadata) -> {
              // Someone overwrites the source after its HEAD, before the copy.
              s3.putObject(
                  b -> b.bucket(settings.bucket()).key(source), RequestBody.fromString("new"));
              return metadata;
            });

    assertThatThrownBy(
            () ->
                copier.copy(
                    settings.key("users/alice/a.txt"),
                    settings.key("users/alice/b.txt"),
                    0,
                    "rename"))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CHANGED))
        .hasMessageContaining("changed while it was copied");
    assertThat(keysUnder("users/alice/")).doesNotContain(settings.key("users/alice/b.txt"));
  }

  /**
   * What {@code keys rewrap} and {@code keys upgrade} do to an object above 5 GiB (here above the
   * small test limit): a metadata rewrite in parts, conditional on the ETag read. An object
   * overwritten meanwhile is never completed with the stale metadata and leaves no upload behind.
   */
  @Test
  void aMetadataRewriteInPartsOfAnObjectChangedMeanwhileIsNeverCompleted() throws Exception {
    byte[] first = content(12 << 20, 30);
    byte[] second = content(12 << 20, 31);
    write(alice, "/big.bin", first);
    String key = settings.key("users/alice/big.bin");
    HeadObjectResponse before = s3.headObject(b -> b.bucket(settings.bucket()).key(key));
    ObjectCopier copier = new ObjectCopier(s3, settings.bucket(), SMALL_COPY_PARTS);
    write(alice, "/big.bin", second);
    RECORDER.reset();

    assertThatThrownBy(
            () ->
                copier.replaceMetadata(
                    key,
                    before.contentLength(),
                    new ObjectCopier.Replacement(
                        before.metadata(), before.contentType(), before.eTag()),
                    "rewrap the key of " + key))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(ObjectCopier.sourceChanged(e)).isTrue());

    assertThat(RECORDER.count("CompleteMultipartUpload")).isZero();
    assertThat(s3.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads()).isEmpty();
    assertThat(read(alice, "/big.bin")).isEqualTo(second);

    HeadObjectResponse now = s3.headObject(b -> b.bucket(settings.bucket()).key(key));
    RECORDER.reset();
    copier.replaceMetadata(
        key,
        now.contentLength(),
        new ObjectCopier.Replacement(now.metadata(), now.contentType(), now.eTag()),
        "rewrap the key of " + key);
    assertThat(RECORDER.count("UploadPartCopy")).isEqualTo(3);
    assertThat(read(alice, "/big.bin")).isEqualTo(second);
  }

  // ---- digest

  @Test
  void theDigestOfSingleRequestAndMultipartUploadsIsThePlaintextsSha256() throws Exception {
    byte[] small = content(1000, 6);
    byte[] large = content(11 << 20, 7);
    write(alice, "/small.txt", small);
    write(alice, "/large.bin", large);

    assertThat(alice.digest(path("/small.txt"))).contains(sha256(small));
    assertThat(alice.digest(path("/large.bin"))).contains(sha256(large));
    assertThat(metadata("users/alice/small.txt")).containsKey(ObjectFormat.META_DIGEST);
    assertThat(metadata("users/alice/large.bin")).doesNotContainKey(ObjectFormat.META_DIGEST);
    assertThat(keysUnder(".dropzone/digests/")).hasSize(1);

    alice.rename(path("/large.bin"), path("/moved.bin"));
    assertThat(alice.digest(path("/moved.bin"))).contains(sha256(large));
    assertThat(metadata("users/alice/moved.bin"))
        .as("a moved file carries its digest itself")
        .containsKey(ObjectFormat.META_DIGEST);
    assertThat(keysUnder(".dropzone/digests/"))
        .as("kept for whatever else may share the body")
        .hasSize(1);

    write(alice, "/other.bin", content(11 << 20, 9));
    assertThat(keysUnder(".dropzone/digests/")).hasSize(2);
    alice.delete(path("/other.bin"));
    assertThat(keysUnder(".dropzone/digests/")).as("removed with the object").hasSize(1);
  }

  @Test
  void aRecordABucketWriterReplacedWithSomethingHugeOrEmptyIsDamagedAndARenameStillWorks()
      throws Exception {
    byte[] large = content(11 << 20, 10);
    write(alice, "/large.bin", large);
    String record = keysUnder(".dropzone/digests/").get(0);
    for (byte[] planted : new byte[][] {content(8 << 20, 11), new byte[0]}) {
      s3.putObject(b -> b.bucket(settings.bucket()).key(record), RequestBody.fromBytes(planted));
      assertThatThrownBy(() -> alice.digest(path("/large.bin")))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
          .hasMessageContaining("its sealed digest does not open");
    }
    alice.rename(path("/large.bin"), path("/moved.bin"));
    assertThat(read(alice, "/moved.bin")).isEqualTo(large);
    assertThat(metadata("users/alice/moved.bin"))
        .as("nothing of the planted record taken into the moved file")
        .doesNotContainKey(ObjectFormat.META_DIGEST);
  }

  @Test
  void aMovedFileKeepsItsDigestWhenWhatAPartialMoveLeftOfItsSourceIsDeleted() throws Exception {
    byte[] large = content(11 << 20, 8);
    write(alice, "/large.bin", large);
    RECORDER.failAfter("DeleteObject", 0);
    assertThatThrownBy(() -> alice.rename(path("/large.bin"), path("/moved.bin")))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PARTIAL))
        .hasMessageContaining("delete it to finish the rename");
    RECORDER.reset();

    // What the refusal tells the user to do; the record of the shared body goes with it.
    alice.delete(path("/large.bin"));

    assertThat(alice.digest(path("/moved.bin"))).contains(sha256(large));
    assertThat(read(alice, "/moved.bin")).isEqualTo(large);
  }

  @Test
  void aDigestIsEmptyForV1FilesAndTheFileMustProveItsIdentityFirst() throws Exception {
    putV1("users/alice/old.txt", "alice", content(10, 8));
    assertThat(alice.digest(path("/old.txt"))).isEmpty();

    write(tree("bob", "users/bob", transfers), "/b.txt", content(10, 9));
    copyRaw("users/bob/b.txt", "users/alice/b.txt");
    assertThatThrownBy(() -> alice.digest(path("/b.txt")))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY));
  }

  // ---- modification time

  @Test
  void setModifiedRewritesTheTimeAndTheTagAndTheFileStaysReadable() throws Exception {
    byte[] data = content(3 << 20, 10);
    write(alice, "/report.csv", data);
    Instant time = Instant.parse("2024-02-29T12:34:56.789Z");

    alice.setModified(path("/report.csv"), time);

    assertThat(metadata("users/alice/report.csv").get(ObjectFormat.META_MTIME))
        .isEqualTo(Long.toString(time.toEpochMilli()));
    assertThat(read(alice, "/report.csv")).isEqualTo(data);
    assertThat(alice.digest(path("/report.csv"))).contains(sha256(data));
  }

  @Test
  void setModifiedRefusesV1FilesAndDirectories() throws Exception {
    putV1("users/alice/old.txt", "alice", content(10, 11));
    alice.mkdir(path("/dir"));

    assertThatThrownBy(() -> alice.setModified(path("/old.txt"), Instant.now()))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_SUPPORTED))
        .hasMessageContaining("dropzone keys upgrade");
    assertThatThrownBy(() -> alice.setModified(path("/dir"), Instant.now()))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_FILE));
  }

  // ---- format v1

  @Test
  void v1FilesAreServedToTheirWriterOnlyAndOnlyWhileThePolicyAcceptsThem() throws Exception {
    byte[] data = content(2 << 20, 12);
    putV1("users/alice/v1.bin", "alice", data);
    putV1("users/bob/v1.bin", "alice", data);

    assertThat(read(alice, "/v1.bin")).isEqualTo(data);
    alice.rename(path("/v1.bin"), path("/still-v1.bin"));
    assertThat(metadata("users/alice/still-v1.bin").get(ObjectFormat.META_FORMAT)).isEqualTo("1");
    assertThat(read(alice, "/still-v1.bin")).isEqualTo(data);

    S3FileTree bob = tree("bob", "users/bob", transfers);
    assertThatThrownBy(() -> bob.openRead(path("/v1.bin"), 0))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
        .hasMessageContaining("written by another user in format v1");

    S3FileTree strict = tree("alice", "users/alice", v2Only);
    assertThatThrownBy(() -> strict.openRead(path("/still-v1.bin"), 0))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
        .hasMessageContaining("dropzone keys upgrade");
  }

  // ---- helpers

  private S3FileTree tree(String user, String home, ObjectTransfers objects) {
    return new S3FileTree(
        s3,
        settings,
        settings.key(home),
        new SessionKeys(new KeyOwner(user, home), keys),
        objects,
        checks,
        SMALL_COPY_PARTS,
        1000);
  }

  private void putV1(String rel, String user, byte[] data) throws Exception {
    var key = keys.forWriting(new KeyOwner(user, "v1")).join();
    V1Objects.put(s3, settings.bucket(), settings.key(rel), user, key.wrapped(), key.key(), data);
  }

  private void copyRaw(String from, String to) {
    s3.copyObject(
        b ->
            b.sourceBucket(settings.bucket())
                .sourceKey(settings.key(from))
                .destinationBucket(settings.bucket())
                .destinationKey(settings.key(to)));
  }

  private static void write(S3FileTree tree, String path, byte[] data) throws Exception {
    try (Upload upload = tree.openWrite(path(path), 0)) {
      upload.stream().write(data);
      upload.commit();
    }
  }

  private static byte[] read(S3FileTree tree, String path) throws Exception {
    try (InputStream in = tree.openRead(path(path), 0)) {
      return in.readAllBytes();
    }
  }

  private Map<String, String> metadata(String rel) {
    return s3.headObject(b -> b.bucket(settings.bucket()).key(settings.key(rel))).metadata();
  }

  private List<String> keysUnder(String rel) {
    return s3
        .listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(settings.key(rel)))
        .contents()
        .stream()
        .map(S3Object::key)
        .toList();
  }

  private static byte[] content(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  private static VirtualPath path(String p) throws StoreException {
    return VirtualPath.of(p);
  }
}
