package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * A gateway that lists a directory for the first time (restarted, or another replica) reads the
 * times an earlier listing kept in one object, instead of one HEAD per file; on a real S3 server,
 * with a raw S3 client in the role of a bucket writer who edits or damages that object.
 */
class KeptTimesTest {

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final RecordingInterceptor RECORDER = new RecordingInterceptor();
  private static final Instant SET = Instant.parse("2020-01-02T03:04:05.678Z");
  private static final int FILES = DirectoryListing.KEEP_AFTER_HEADS + 4;

  private static S3ProxyFixture server;
  private static S3Settings bucket;
  private static S3Client s3;

  private S3Settings settings;
  private ObjectTransfers transfers;
  private final List<TreeRequests> gateways = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyFixture.inMemory();
    bucket = server.bucket("kept-times", "");
    s3 = RECORDER.client(bucket);
  }

  @AfterAll
  static void stopServer() throws Exception {
    s3.close();
    server.close();
  }

  @BeforeEach
  void freshPrefix() {
    settings = bucket.withPrefix("run" + RUNS.incrementAndGet());
    transfers = new ObjectTransfers(s3, settings);
  }

  @AfterEach
  void closeGateways() {
    gateways.forEach(TreeRequests::close);
    transfers.close();
  }

  @Test
  void aGatewayListingForTheFirstTimeReadsTheKeptTimesInsteadOfHeadingEachFile() throws Exception {
    S3FileTree writer = newGateway();
    writeFiles(writer, "/batch", FILES);
    writer.setModified(path("/batch/f0.bin"), SET);

    S3FileTree first = newGateway();
    RECORDER.reset();
    Map<String, Instant> shown = times(first, "/batch");
    assertThat(shown).hasSize(FILES).containsEntry("f0.bin", SET);
    assertThat(RECORDER.count("HeadObject")).isEqualTo(FILES);
    awaitKept("/batch");

    S3FileTree restarted = newGateway();
    RECORDER.reset();
    assertThat(times(restarted, "/batch")).isEqualTo(shown);
    assertThat(RECORDER.count("HeadObject")).isZero();
    assertThat(RECORDER.count("GetObject")).isEqualTo(1);
    assertThat(RECORDER.count("ListObjectsV2")).isEqualTo(1);

    // Read once in a while, not by every listing.
    RECORDER.reset();
    times(restarted, "/batch");
    assertThat(RECORDER.count("GetObject")).isZero();
    assertThat(RECORDER.count("HeadObject")).isZero();
  }

  @Test
  void whatTheListingGatewayWroteItselfIsKeptToo() throws Exception {
    writeFiles(newGateway(), "/mixed", FILES);
    S3FileTree lister = newGateway();
    for (int i = 0; i < 3; i++) {
      write(lister, "/mixed/own" + i + ".bin", "own " + i);
    }
    RECORDER.reset();
    Map<String, Instant> shown = times(lister, "/mixed");
    // Its own files need no HEAD; the others do, so the listing keeps all of them.
    assertThat(RECORDER.count("HeadObject")).isEqualTo(FILES);
    await().atMost(Duration.ofSeconds(10)).until(() -> readable(keyOf("/mixed"), FILES + 3));

    RECORDER.reset();
    assertThat(times(newGateway(), "/mixed")).isEqualTo(shown);
    assertThat(RECORDER.count("HeadObject")).isZero();
  }

  @Test
  void aFileChangedSinceItsTimeWasKeptIsLookedUpAgain() throws Exception {
    S3FileTree writer = newGateway();
    writeFiles(writer, "/changing", FILES);
    times(newGateway(), "/changing");
    awaitKept("/changing");

    // A time set in a later second than the kept version's, and new content: both new versions.
    Thread.sleep(1100);
    Instant later = Instant.parse("2021-06-07T08:09:10Z");
    writer.setModified(path("/changing/f1.bin"), later);
    write(writer, "/changing/f2.bin", "rewritten with other content");

    S3FileTree restarted = newGateway();
    RECORDER.reset();
    Map<String, Instant> shown = times(restarted, "/changing");
    assertThat(RECORDER.count("HeadObject")).isEqualTo(2);
    assertThat(shown).containsEntry("f1.bin", later);
    assertThat(shown.get("f2.bin"))
        .isEqualTo(restarted.stat(path("/changing/f2.bin")).lastModified());
  }

  @Test
  void aDamagedKeptTimesObjectIsIgnoredAndTheFilesAreHeaded() throws Exception {
    Map<String, Instant> truth = keptDirectory("/damaged");
    String kept = awaitKept("/damaged");

    for (String garbage : List.of("not kept times\n", KeptTimes.FIRST_LINE + "\nZjA x\n", "")) {
      s3.putObject(b -> b.bucket(settings.bucket()).key(kept), RequestBody.fromString(garbage));
      S3FileTree restarted = newGateway();
      RECORDER.reset();
      assertThat(times(restarted, "/damaged")).isEqualTo(truth);
      assertThat(RECORDER.count("HeadObject")).isEqualTo(FILES);
      // That listing HEADed them all, so it keeps them again: the damage heals.
      await().atMost(Duration.ofSeconds(10)).until(() -> readable(kept));
    }
  }

  @Test
  void anEditedTimeShowsInListingsButNotInWhatReadsTheFile() throws Exception {
    Map<String, Instant> truth = keptDirectory("/edited");
    String kept = awaitKept("/edited");

    String body =
        new String(
            s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(kept)).asByteArray(),
            StandardCharsets.UTF_8);
    String forged = body.replaceAll("(?m)^(ZjA\\S* \\S+ \\S+) \\d+$", "$1 " + SET.toEpochMilli());
    assertThat(forged).isNotEqualTo(body);
    s3.putObject(b -> b.bucket(settings.bucket()).key(kept), RequestBody.fromString(forged));

    S3FileTree restarted = newGateway();
    assertThat(times(restarted, "/edited")).containsEntry("f0.bin", SET);
    // Like an edited dz-mtime: a listing shows it; stat (MDTM) reads the file's own metadata.
    assertThat(restarted.stat(path("/edited/f0.bin")).lastModified())
        .isEqualTo(truth.get("f0.bin"));
    // Reads and HASH go by the file itself, which the forged times do not touch.
    try (InputStream in = restarted.openRead(path("/edited/f0.bin"), 0)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("file 0");
    }
    assertThat(restarted.digest(path("/edited/f0.bin")))
        .hasValue(
            MessageDigest.getInstance("SHA-256").digest("file 0".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void removingADirectoryRemovesItsKeptTimes() throws Exception {
    S3FileTree writer = newGateway();
    writeFiles(writer, "/gone", FILES);
    times(newGateway(), "/gone");
    String kept = awaitKept("/gone");

    for (int i = 0; i < FILES; i++) {
      writer.delete(path("/gone/f" + i + ".bin"));
    }
    writer.rmdir(path("/gone"));

    assertThat(exists(kept)).isFalse();
  }

  @Test
  void renamingADirectoryRemovesTheKeptTimesOfEveryDirectoryMoved() throws Exception {
    S3FileTree writer = newGateway();
    writeFiles(writer, "/old", FILES);
    writeFiles(writer, "/old/sub", FILES);
    times(newGateway(), "/old");
    times(newGateway(), "/old/sub");
    String top = awaitKept("/old");
    String below = awaitKept("/old/sub");

    writer.rename(path("/old"), path("/new"));

    assertThat(exists(top)).isFalse();
    assertThat(exists(below)).isFalse();
    assertThat(times(newGateway(), "/new/sub")).hasSize(FILES);
  }

  @Test
  void aListingThatHeadedFewFilesKeepsNothing() throws Exception {
    S3FileTree writer = newGateway();
    writeFiles(writer, "/few", DirectoryListing.KEEP_AFTER_HEADS - 1);
    RECORDER.reset();
    times(newGateway(), "/few");
    assertThat(RECORDER.count("HeadObject")).isEqualTo(DirectoryListing.KEEP_AFTER_HEADS - 1);
    assertThat(RECORDER.count("PutObject")).isZero();
  }

  @Test
  void namesOfAnyShapeSurviveTheRoundTrip() {
    List<KeptTimes.Entry> entries =
        List.of(
            new KeptTimes.Entry("a b\tc.txt", "\"e1\"", Instant.ofEpochSecond(1), SET),
            new KeptTimes.Entry("ünïcødé €", "e2-3", Instant.ofEpochSecond(2), Instant.EPOCH));
    assertThat(KeptTimes.parse(KeptTimes.format(entries)))
        .hasValueSatisfying(
            parsed -> {
              assertThat(parsed)
                  .extracting(KeptTimes.Entry::name)
                  .containsExactly("a b\tc.txt", "ünïcødé €");
              assertThat(parsed.get(0).eTag()).isEqualTo("e1");
              assertThat(parsed.get(0).time()).isEqualTo(SET);
            });
    // A name with a slash would point outside the directory.
    assertThat(
            KeptTimes.parse(
                KeptTimes.format(
                    List.of(new KeptTimes.Entry("../x", "e", Instant.EPOCH, Instant.EPOCH)))))
        .isEmpty();
    // Nor is a line with a field too many one this gateway wrote.
    assertThat(
            KeptTimes.parse(
                (KeptTimes.FIRST_LINE + "\n" + "ZjA" + " e 1 2 3\n")
                    .getBytes(StandardCharsets.UTF_8)))
        .isEmpty();
  }

  /**
   * Writes {@link #FILES} files into {@code dir} and lists them on another gateway, which keeps
   * them.
   */
  private Map<String, Instant> keptDirectory(String dir) throws Exception {
    writeFiles(newGateway(), dir, FILES);
    return times(newGateway(), dir);
  }

  /** A new gateway's tree of alice's home: its own memory of times, a clock a minute ahead. */
  private S3FileTree newGateway() {
    // The clock makes every object old enough for its time to be remembered and kept.
    TreeRequests requests =
        new TreeRequests(4, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1)));
    gateways.add(requests);
    return new S3FileTree(
        s3,
        settings,
        settings.key("users/alice"),
        new SessionKeys(new KeyOwner("alice", "users/alice"), new TestKeys()),
        transfers,
        requests);
  }

  private String awaitKept(String dir) {
    String key = keyOf(dir);
    await().atMost(Duration.ofSeconds(10)).until(() -> exists(key));
    return key;
  }

  private String keyOf(String dir) {
    return new KeptTimes(s3, settings.bucket(), settings.key(VirtualPath.RESERVED))
        .keyOf(settings.key("users/alice") + dir + "/");
  }

  private boolean readable(String key) {
    return readable(key, FILES);
  }

  private boolean readable(String key, int lines) {
    if (!exists(key)) {
      return false;
    }
    byte[] body = s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key)).asByteArray();
    return KeptTimes.parse(body).filter(entries -> entries.size() == lines).isPresent();
  }

  private boolean exists(String key) {
    try {
      s3.headObject(b -> b.bucket(settings.bucket()).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    }
  }

  private static Map<String, Instant> times(S3FileTree tree, String dir) throws Exception {
    Map<String, Instant> byName = new TreeMap<>();
    try (Stream<FileInfo> entries = tree.list(path(dir))) {
      entries.forEach(entry -> byName.put(entry.name(), entry.lastModified()));
    }
    return byName;
  }

  private static void writeFiles(S3FileTree tree, String dir, int count) throws Exception {
    tree.mkdir(path(dir));
    for (int i = 0; i < count; i++) {
      write(tree, dir + "/f" + i + ".bin", "file " + i);
    }
  }

  private static void write(S3FileTree tree, String file, String content) throws Exception {
    try (Upload upload = tree.openWrite(path(file), 0)) {
      upload.stream().write(content.getBytes(StandardCharsets.UTF_8));
      upload.commit();
    }
  }

  private static VirtualPath path(String p) throws StoreException {
    return VirtualPath.of(p);
  }
}
