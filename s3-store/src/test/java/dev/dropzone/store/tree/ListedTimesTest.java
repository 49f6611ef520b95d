package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.KeyOwner;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import dev.dropzone.store.transfer.ObjectTransfers;
import dev.dropzone.store.transfer.SessionKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Files show the modification time their writer recorded (at upload, or set later), in stat and in
 * listings, on a real S3 server. Listings know what this gateway wrote without a request; what
 * others wrote takes one HEAD per file, remembered until the object changes.
 */
class ListedTimesTest {

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final RecordingInterceptor RECORDER = new RecordingInterceptor();
  private static final Instant SET = Instant.parse("2020-01-02T03:04:05.678Z");

  private static S3ProxyFixture server;
  private static S3Settings bucket;
  private static S3Client s3;
  private static TreeRequests requests;

  private S3Settings settings;
  private ObjectTransfers transfers;
  private S3FileTree alice;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyFixture.inMemory();
    bucket = server.bucket("listed-times", "");
    s3 = RECORDER.client(bucket);
    // A clock a minute ahead makes every object old enough for its time to be remembered.
    Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1));
    requests = new TreeRequests(4, ahead);
  }

  @AfterAll
  static void stopServer() throws Exception {
    requests.close();
    s3.close();
    server.close();
  }

  @BeforeEach
  void freshPrefix() {
    settings = bucket.withPrefix("run" + RUNS.incrementAndGet());
    transfers = new ObjectTransfers(s3, settings);
    alice = treeOf(requests);
  }

  /** Alice's tree on a gateway whose trees share {@code treeRequests}. */
  private S3FileTree treeOf(TreeRequests treeRequests) {
    return new S3FileTree(
        s3,
        settings,
        settings.key("users/alice"),
        new SessionKeys(new KeyOwner("alice", "users/alice"), new TestKeys()),
        transfers,
        treeRequests);
  }

  @AfterEach
  void closeTransfers() {
    transfers.close();
  }

  @Test
  void aTimeSetOnAFileShowsInStatAndInListings() throws Exception {
    alice.mkdir(path("/dated"));
    write("/dated/a.txt");
    write("/dated/b.txt");

    alice.setModified(path("/dated/a.txt"), SET);

    assertThat(alice.stat(path("/dated/a.txt")).lastModified()).isEqualTo(SET);
    assertThat(times("/dated")).containsEntry("a.txt", SET);
    Instant uploaded = times("/dated").get("b.txt");
    assertThat(Duration.between(uploaded, Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));
  }

  @Test
  void whatThisGatewayWroteListsWithItsTimesWithoutAHead() throws Exception {
    alice.mkdir(path("/many"));
    for (int i = 0; i < 5; i++) {
      write("/many/f" + i + ".bin");
    }
    alice.setModified(path("/many/f0.bin"), SET);

    RECORDER.reset();
    Map<String, Instant> listed = times("/many");
    assertThat(listed).hasSize(5).containsEntry("f0.bin", SET);
    for (int i = 1; i < 5; i++) {
      assertThat(listed.get("f" + i + ".bin"))
          .isEqualTo(alice.stat(path("/many/f" + i + ".bin")).lastModified());
    }
    RECORDER.reset();
    times("/many");
    assertThat(RECORDER.count("HeadObject")).isZero();
    assertThat(RECORDER.count("ListObjectsV2")).isEqualTo(1);

    // Same content, so the same ETag, and likely the same second: the write names the new time.
    Instant later = Instant.parse("2021-06-07T08:09:10Z");
    alice.setModified(path("/many/f0.bin"), later);
    RECORDER.reset();
    assertThat(times("/many")).containsEntry("f0.bin", later);
    assertThat(RECORDER.count("HeadObject")).isZero();
  }

  @Test
  void anotherGatewayListingTheSameFilesHeadsEachOnceAndThenRemembers() throws Exception {
    alice.mkdir(path("/shared"));
    for (int i = 0; i < 5; i++) {
      write("/shared/f" + i + ".bin");
    }
    alice.setModified(path("/shared/f0.bin"), SET);

    try (TreeRequests otherRequests =
        new TreeRequests(2, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1)))) {
      S3FileTree other = treeOf(otherRequests);
      RECORDER.reset();
      assertThat(times(other, "/shared")).hasSize(5).containsEntry("f0.bin", SET);
      assertThat(RECORDER.count("HeadObject")).isEqualTo(5);

      RECORDER.reset();
      assertThat(times(other, "/shared")).containsEntry("f0.bin", SET);
      assertThat(RECORDER.count("HeadObject")).isZero();

      // This gateway's own time set is seen here at once: its ETag is the same, its time is not.
      Instant later = Instant.parse("2021-06-07T08:09:10Z");
      other.setModified(path("/shared/f0.bin"), later);
      assertThat(times(other, "/shared")).containsEntry("f0.bin", later);
    }
  }

  @Test
  void settingTheTimeOfAFileJustWrittenNeedsNoHeadUnlessItChangedMeanwhile() throws Exception {
    alice.mkdir(path("/fresh"));
    write("/fresh/a.txt");
    write("/fresh/b.txt");
    RECORDER.reset();

    alice.setModified(path("/fresh/a.txt"), SET);

    assertThat(RECORDER.count("HeadObject")).isZero();
    assertThat(RECORDER.count("CopyObject")).isEqualTo(1);
    assertThat(alice.stat(path("/fresh/a.txt")).lastModified()).isEqualTo(SET);

    // Another gateway rewrites one and removes the other: this one's memory of them is stale.
    try (TreeRequests otherRequests = new TreeRequests(2)) {
      S3FileTree other = treeOf(otherRequests);
      try (Upload upload = other.openWrite(path("/fresh/a.txt"), 0)) {
        upload.stream().write("rewritten".getBytes(StandardCharsets.UTF_8));
        upload.commit();
      }
      other.delete(path("/fresh/b.txt"));
    }
    Instant later = Instant.parse("2021-06-07T08:09:10Z");
    alice.setModified(path("/fresh/a.txt"), later);
    assertThat(alice.stat(path("/fresh/a.txt")).lastModified()).isEqualTo(later);
    assertThatThrownBy(() -> alice.setModified(path("/fresh/b.txt"), later))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.NOT_FOUND));
  }

  @Test
  void aFileWithoutARecordedTimeShowsTheStorageTime() throws Exception {
    alice.mkdir(path("/foreign"));
    s3.putObject(
        b -> b.bucket(settings.bucket()).key(settings.key("users/alice/foreign/plain.txt")),
        RequestBody.fromString("not Dropzone's"));

    Instant listed = times("/foreign").get("plain.txt");

    assertThat(Duration.between(listed, Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));
    assertThat(alice.stat(path("/foreign/plain.txt")).lastModified())
        .isEqualTo(listed.truncatedTo(ChronoUnit.SECONDS));
  }

  private Map<String, Instant> times(String dir) throws Exception {
    return times(alice, dir);
  }

  private static Map<String, Instant> times(S3FileTree tree, String dir) throws Exception {
    Map<String, Instant> byName = new TreeMap<>();
    try (Stream<FileInfo> entries = tree.list(path(dir))) {
      entries.forEach(entry -> byName.put(entry.name(), entry.lastModified()));
    }
    return byName;
  }

  private void write(String file) throws Exception {
    try (Upload upload = alice.openWrite(path(file), 0)) {
      upload.stream().write(file.getBytes(StandardCharsets.UTF_8));
      upload.commit();
    }
  }

  private static VirtualPath path(String p) throws StoreException {
    return VirtualPath.of(p);
  }
}
