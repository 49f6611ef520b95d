package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import dev.dropzone.store.transfer.ObjectTransfers;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The tree against a real S3 server (S3Proxy on 127.0.0.1), seeded through the raw S3 API. */
class S3FileTreeTest {

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final RecordingInterceptor RECORDER = new RecordingInterceptor();
  private static final Map<String, String> DZ_METADATA =
      Map.of(
          "dz-format", "1",
          "dz-alg", ObjectFormat.ALGORITHM,
          "dz-key", "d3JhcHBlZA==",
          "dz-key-ref", TestKeys.REF,
          "dz-user", "alice");

  private static S3ProxyFixture server;
  private static S3Settings bucket;
  private static S3Client s3;
  private static ObjectTransfers transfers;
  private static TreeRequests checks;

  /** Each test works under its own prefix, so tests never see each other's objects. */
  private S3Settings settings;

  private String home;
  private S3FileTree tree;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyFixture.inMemory();
    // S3's smallest part, so a few MiB make a multipart upload.
    bucket = server.bucket("tree", "").withPartSize(S3Settings.MIN_PART_SIZE);
    s3 = RECORDER.client(bucket);
    transfers = new ObjectTransfers(s3, bucket);
    checks = new TreeRequests(2);
  }

  @AfterAll
  static void stopServer() throws Exception {
    checks.close();
    transfers.close();
    s3.close();
    server.close();
  }

  @BeforeEach
  void freshPrefix() {
    settings = bucket.withPrefix("run" + RUNS.incrementAndGet());
    home = settings.key("users/alice");
    tree = treeAt(home);
    RECORDER.reset();
  }

  // ---- listing

  @Test
  void listsThousandsOfFilesPageByPageWithSizesFromTheFormula() throws Exception {
    int count = 2_500;
    IntStream.range(0, count).parallel().forEach(i -> putFile(String.format("f%04d", i), i));
    RECORDER.reset();

    List<FileInfo> all = new ArrayList<>();
    try (Stream<FileInfo> listing = tree.list(VirtualPath.ROOT)) {
      Iterator<FileInfo> entries = listing.iterator();
      for (int i = 0; i < 10; i++) {
        all.add(entries.next());
      }
      // The second page is read ahead while the first is consumed; the third is requested only
      // once the consumer takes the second, so at most two pages are held.
      await().untilAsserted(() -> assertThat(RECORDER.count("ListObjectsV2")).isEqualTo(2));
      entries.forEachRemaining(all::add);
    }

    assertThat(all).hasSize(count);
    for (int i = 0; i < count; i++) {
      FileInfo info = all.get(i);
      assertThat(info.name()).isEqualTo(String.format("f%04d", i));
      assertThat(info.path()).isEqualTo(path("/" + info.name()));
      assertThat(info.directory()).isFalse();
      assertThat(info.size()).isEqualTo(i);
      assertThat(info.lastModified()).isAfter(Instant.EPOCH);
    }
    // Three pages of at most 1,000; sizes need no request, each file's recorded time one HEAD
    // (remembered for later listings once the file is a few seconds old: ListedTimesTest).
    assertThat(RECORDER.count("ListObjectsV2")).isEqualTo(3);
    assertThat(RECORDER.count("HeadObject")).isEqualTo(count);
  }

  @Test
  void listingFilesThisGatewayWroteCostsOneListPerPageAndNothingPerFile() throws Exception {
    S3FileTree paged = smallPages(s3, checks);
    paged.mkdir(path("/pages"));
    for (int i = 0; i < 7; i++) {
      try (Upload upload = paged.openWrite(path("/pages/f" + i), 0)) {
        upload.stream().write(new byte[i]);
        upload.commit();
      }
    }
    RECORDER.reset();

    try (Stream<FileInfo> listing = paged.list(path("/pages"))) {
      assertThat(listing.map(FileInfo::name)).hasSize(7);
    }

    // Three keys to a page: ceil(7 / 3) LISTs; sizes and recorded times need no request.
    assertThat(RECORDER.count("ListObjectsV2", home + "/")).isEqualTo(3);
    assertThat(RECORDER.count("HeadObject", home + "/")).isZero();
  }

  @Test
  void aListingWithoutTimesLooksNothingUp() throws Exception {
    putFile("a.txt", 3);
    putFile("implied/inner.txt", 5);
    RECORDER.reset();

    try (Stream<FileInfo> listing = tree.listWithoutTimes(VirtualPath.ROOT)) {
      assertThat(listing.map(e -> e.name() + "=" + e.size()))
          .containsExactly("a.txt=3", "implied=0");
    }
    assertThat(RECORDER.count("ListObjectsV2")).isEqualTo(1);
    assertThat(RECORDER.count("HeadObject")).isZero();
  }

  @Test
  void directoriesComeFromPrefixesAndFromMarkers() throws Exception {
    putFile("implied/inner.txt", 5); // a directory known only by prefix
    putRaw(home + "/empty/", new byte[0]); // an empty directory: just its marker
    putRaw(home + "/marked/", new byte[0]);
    putFile("marked/child.bin", 7);
    putFile("top.txt", 3);

    assertThat(names(VirtualPath.ROOT))
        .containsExactlyInAnyOrder("implied/", "empty/", "marked/", "top.txt");
    assertThat(names(path("/marked"))).containsExactly("child.bin"); // its marker is not an entry
    assertThat(names(path("/empty"))).isEmpty();
    assertThat(names(path("/implied"))).containsExactly("inner.txt");

    assertThat(tree.stat(path("/implied")).directory()).isTrue();
    // Without a marker, a directory's time is its newest entry's.
    assertThat(tree.stat(path("/implied")).lastModified())
        .isEqualTo(head(home + "/implied/inner.txt").lastModified());
    assertThat(tree.stat(path("/empty")).directory()).isTrue();
    assertThat(tree.stat(path("/empty")).lastModified()).isAfter(Instant.EPOCH);
    assertThat(tree.stat(path("/marked/child.bin")).size()).isEqualTo(7);
  }

  @Test
  void aDirectoryWithoutMarkerIsAsOldAsItsNewestObject() throws Exception {
    putFile("implied/older.txt", 1);
    long first = head(home + "/implied/older.txt").lastModified().getEpochSecond();
    // S3 times have one-second resolution: the second object must be visibly newer.
    await().until(() -> Instant.now().getEpochSecond() > first);
    putFile("implied/newer.txt", 2);
    Instant newer = head(home + "/implied/newer.txt").lastModified();

    assertThat(newer.getEpochSecond()).isGreaterThan(first);
    assertThat(tree.stat(path("/implied")).lastModified()).isEqualTo(newer);
    try (Stream<FileInfo> listing = tree.list(VirtualPath.ROOT)) {
      assertThat(listing.filter(FileInfo::directory).map(FileInfo::lastModified))
          .containsExactly(newer);
    }
  }

  @Test
  void aListingLooksUpOnlyTheTimesItDoesNotCarry() throws Exception {
    // This server lists markers as objects (with their times); prefixes carry no time.
    for (String marked : List.of("m1", "m2", "m3")) {
      tree.mkdir(path("/" + marked));
    }
    putFile("p1/f", 1);
    putFile("p2/f", 1);
    RECORDER.reset();

    assertThat(names(VirtualPath.ROOT)).containsExactly("m1/", "m2/", "m3/", "p1/", "p2/");

    // One HEAD per undated subdirectory (its marker), one LIST each for their newest object.
    assertThat(RECORDER.count("HeadObject")).isEqualTo(2);
    assertThat(RECORDER.count("ListObjectsV2")).isEqualTo(1 + 2);
  }

  @Test
  void listingAMissingDirectoryOrAFileFails() {
    putFile("file.txt", 1);
    assertFails(() -> tree.list(path("/nope")), Reason.NOT_FOUND)
        .hasMessage("No such file or directory: /nope");
    assertFails(() -> tree.list(path("/file.txt")), Reason.NOT_A_DIRECTORY)
        .hasMessage("Not a directory: /file.txt");
  }

  @Test
  void anEmptyHomeListsAsEmpty() throws Exception {
    assertThat(names(VirtualPath.ROOT)).isEmpty();
  }

  @Test
  void keysThatAreNotValidNamesAreSkipped() throws Exception {
    putRaw(home + "/ok.txt", new byte[56]);
    putRaw(home + "/tab\there", new byte[56]);
    // S3Proxy refuses "//" in a request path, so this one goes straight into its blob store.
    server
        .blobStore()
        .putBlob(
            settings.bucket(),
            server.blobStore().blobBuilder(home + "//double-slash").payload(new byte[56]).build());
    assertThat(keysUnder(home + "/")).hasSize(3);
    assertThat(names(VirtualPath.ROOT)).containsExactly("ok.txt");
  }

  // ---- stat

  @Test
  void statOfAFileUsesTheFormulaAndFallsBackToTheRawSize() throws Exception {
    putFile("a.txt", 1_048_521);
    putRaw(home + "/foreign.bin", new byte[10]); // not a possible ciphertext length

    FileInfo file = tree.stat(path("/a.txt"));
    assertThat(file.directory()).isFalse();
    assertThat(file.size()).isEqualTo(1_048_521);
    assertThat(file.lastModified()).isAfter(Instant.EPOCH);
    assertThat(tree.stat(path("/foreign.bin")).size()).isEqualTo(10);
    assertThat(names(VirtualPath.ROOT)).contains("foreign.bin");
  }

  @Test
  void statOfTheRootAndOfMissingPaths() throws Exception {
    assertThat(tree.stat(VirtualPath.ROOT).directory()).isTrue();
    assertFails(() -> tree.stat(path("/missing")), Reason.NOT_FOUND)
        .hasMessage("No such file or directory: /missing");
  }

  @Test
  void keysOverS3sLimitAreRefusedWithAClearReason() throws Exception {
    // Names as long as S3 allows, so the whole key's limit is what refuses them.
    tree =
        new S3FileTree(
            s3,
            settings.withMaxNameBytes(VirtualPath.MAX_BYTES),
            home,
            TestKeys.session("alice"),
            transfers,
            checks);
    // Each path alone is valid, but with the home in front its key is one byte too long.
    VirtualPath tooLong = path("/" + "n".repeat(1024 - home.length()));
    assertFails(() -> tree.stat(tooLong), Reason.INVALID_PATH)
        .hasMessageStartingWith("Invalid file name: longer than 1024 bytes once stored");
    assertFails(() -> tree.openWrite(tooLong, 0), Reason.INVALID_PATH);
    // A directory's marker needs one byte more than a file of the same name.
    VirtualPath longest = path("/" + "n".repeat(1023 - home.length()));
    assertFails(() -> tree.stat(longest), Reason.NOT_FOUND);
    assertFails(() -> tree.mkdir(longest), Reason.INVALID_PATH)
        .hasMessageStartingWith("Invalid file name: longer than 1024 bytes once stored");
  }

  @Test
  void newNamesOverTheNameLimitAreRefusedAndNothingIsStored() throws Exception {
    // 256 bytes in 128 characters: the limit counts UTF-8 bytes, as file systems do.
    VirtualPath over = path("/" + "é".repeat(128));
    String refusal =
        "Invalid file name: '"
            + "é".repeat(40)
            + "…' is 256 bytes long; names may have at most 255 bytes here (shorten it)";
    assertFails(() -> tree.openWrite(over, 0), Reason.INVALID_PATH).hasMessage(refusal);
    assertFails(() -> tree.mkdir(over), Reason.INVALID_PATH).hasMessage(refusal);
    tree.mkdir(path("/dir"));
    putFile("file", 1);
    assertFails(() -> tree.rename(path("/file"), over), Reason.INVALID_PATH).hasMessage(refusal);
    assertFails(() -> tree.rename(path("/dir"), over), Reason.INVALID_PATH).hasMessage(refusal);
    assertFails(() -> tree.mkdir(path("/dir/" + "é".repeat(128))), Reason.INVALID_PATH);
    assertThat(keysUnder(home + "/")).containsExactlyInAnyOrder(home + "/dir/", home + "/file");

    // 255 bytes is allowed, for directories and files, at any depth.
    String longest = "n".repeat(255);
    tree.mkdir(path("/" + longest));
    try (Upload upload = tree.openWrite(path("/" + longest + "/" + longest), 0)) {
      upload.stream().write(new byte[3]);
      upload.commit();
    }
    tree.rename(path("/file"), path("/dir/" + "é".repeat(127) + "e"));
    assertThat(names(path("/" + longest))).containsExactly(longest);
    assertThat(names(path("/dir"))).containsExactly("é".repeat(127) + "e");
  }

  @Test
  void aLongNameStoredBeforeTheLimitStaysReadableRenamableAndRemovable() throws Exception {
    // Written by an earlier configuration with a higher limit, or by another tool.
    String name = "o".repeat(300);
    byte[] body = putFile(name, 5);
    VirtualPath stored = path("/" + name);

    assertThat(tree.stat(stored).size()).isEqualTo(5);
    assertThat(names(VirtualPath.ROOT)).containsExactly(name);
    // Resuming it is not refused for its name (this object's bytes are no real ciphertext, so
    // whatever else the store says about them is beside the point here).
    try (Upload resumed = tree.openWrite(stored, 5)) {
      assertThat(resumed).isNotNull();
    } catch (StoreException e) {
      assertThat(e.reason()).isNotEqualTo(Reason.INVALID_PATH);
    }
    // Moved to another directory and back under its own name.
    tree.mkdir(path("/elsewhere"));
    tree.rename(stored, path("/elsewhere/" + name));
    tree.rename(path("/elsewhere/" + name), stored);
    tree.rmdir(path("/elsewhere"));
    assertFails(() -> tree.rename(stored, path("/" + name + "x")), Reason.INVALID_PATH);
    tree.rename(stored, path("/short"));
    assertThat(read(home + "/short")).isEqualTo(body);
    tree.rename(path("/short"), path("/" + name.substring(0, 255)));
    tree.delete(path("/" + name.substring(0, 255)));
    putFile(name, 5);
    tree.delete(stored);
    assertThat(keysUnder(home + "/")).isEmpty();
  }

  // ---- mkdir / rmdir / delete

  @Test
  void mkdirCreatesAMarkerAndRefusesWhatExists() throws Exception {
    tree.mkdir(path("/docs"));
    assertThat(head(home + "/docs/").contentLength()).isZero();
    assertThat(tree.stat(path("/docs")).directory()).isTrue();
    tree.mkdir(path("/docs/2024"));
    assertThat(names(path("/docs"))).containsExactly("2024/");

    putFile("file", 1);
    assertFails(() -> tree.mkdir(path("/docs")), Reason.ALREADY_EXISTS)
        .hasMessage("Already exists: /docs");
    assertFails(() -> tree.mkdir(path("/file")), Reason.ALREADY_EXISTS);
    assertFails(() -> tree.mkdir(VirtualPath.ROOT), Reason.ALREADY_EXISTS);
    assertFails(() -> tree.mkdir(path("/no/such")), Reason.NOT_FOUND)
        .hasMessage("Cannot create directory /no/such: parent directory /no does not exist");
  }

  @Test
  void rmdirRemovesOnlyEmptyDirectories() throws Exception {
    tree.mkdir(path("/empty"));
    tree.mkdir(path("/full"));
    putFile("full/keep.txt", 1);
    putFile("implied/keep.txt", 1);
    putFile("file", 1);

    tree.rmdir(path("/empty"));
    assertFails(() -> tree.stat(path("/empty")), Reason.NOT_FOUND);

    assertFails(() -> tree.rmdir(path("/full")), Reason.NOT_EMPTY)
        .hasMessage("Directory not empty: /full");
    assertFails(() -> tree.rmdir(path("/implied")), Reason.NOT_EMPTY);
    assertThat(names(path("/full"))).containsExactly("keep.txt");
    assertFails(() -> tree.rmdir(path("/missing")), Reason.NOT_FOUND);
    assertFails(() -> tree.rmdir(path("/file")), Reason.NOT_A_DIRECTORY);
    assertFails(() -> tree.rmdir(VirtualPath.ROOT), Reason.ACCESS_DENIED);
  }

  @Test
  void deleteRemovesFilesOnly() throws Exception {
    putFile("a.txt", 1);
    tree.mkdir(path("/dir"));

    tree.delete(path("/a.txt"));
    assertThat(keysUnder(home + "/")).containsExactly(home + "/dir/");
    assertFails(() -> tree.delete(path("/a.txt")), Reason.NOT_FOUND);
    assertFails(() -> tree.delete(path("/dir")), Reason.NOT_A_FILE)
        .hasMessage("Is a directory, not a file: /dir");
    assertFails(() -> tree.delete(VirtualPath.ROOT), Reason.NOT_A_FILE);
  }

  // ---- write and read preconditions (a new file's are checked while its data streams)

  @Test
  void theRootIsRefusedBeforeAnyTransfer() {
    assertFails(() -> tree.openWrite(VirtualPath.ROOT, 0), Reason.NOT_A_FILE);
    assertFails(() -> tree.openRead(VirtualPath.ROOT, 0), Reason.NOT_A_FILE);
  }

  @Test
  void writingOnADirectoryIsRefusedBeforeCommitAndLeavesNothing() throws Exception {
    tree.mkdir(path("/marked"));
    putFile("implied/inner.txt", 5);

    // The home is not known yet: checked beside the data, refused before the commit.
    Upload upload = tree.openWrite(path("/marked"), 0);
    assertRefused(upload, 1000, Reason.NOT_A_FILE)
        .hasMessage("Is a directory, not a file: /marked");
    assertNothingStoredAt(home + "/marked");
    // That check listed the home: now known, the name is refused before any transfer.
    assertFails(() -> tree.openWrite(path("/implied"), 0), Reason.NOT_A_FILE)
        .hasMessage("Is a directory, not a file: /implied");
    assertNothingStoredAt(home + "/implied");
    assertThat(keysUnder(home + "/"))
        .containsExactly(home + "/implied/inner.txt", home + "/marked/");
  }

  @Test
  void writingIntoAMissingDirectoryIsRefusedBeforeCommitAndLeavesNothing() throws Exception {
    tree.mkdir(path("/dir"));
    for (String file : List.of("/nodir/x.txt", "/dir/nodir/x.txt")) {
      Upload upload = tree.openWrite(path(file), 0);
      String parent = file.substring(0, file.lastIndexOf('/'));
      assertRefused(upload, 1000, Reason.NOT_FOUND)
          .hasMessage("Cannot store " + file + ": parent directory " + parent + " does not exist");
      assertNothingStoredAt(home + file);
    }
  }

  @Test
  void aLargeFileIntoAMissingDirectoryStopsAndLeavesNoUpload() throws Exception {
    int size = 12 << 20; // three 5 MiB parts
    Upload upload = tree.openWrite(path("/nodir/big.bin"), 0);

    assertFails(
            () -> {
              byte[] chunk = new byte[64 << 10];
              for (int written = 0; written < size; written += chunk.length) {
                upload.stream().write(chunk);
              }
              upload.commit();
            },
            Reason.NOT_FOUND)
        .hasMessage("Cannot store /nodir/big.bin: parent directory /nodir does not exist");
    assertNothingStoredAt(home + "/nodir/big.bin");
    assertThat(keysUnder(home + "/")).isEmpty();
  }

  @Test
  void abortBeforeCommitLeavesNothing() throws Exception {
    Upload upload = tree.openWrite(path("/aborted.bin"), 0);
    upload.stream().write(new byte[12 << 20]);

    upload.abort();
    upload.abort();

    assertNothingStoredAt(home + "/aborted.bin");
    assertFails(upload::commit, Reason.ABORTED);
  }

  @Test
  void aNewFileInADirectoryJustCreatedNeedsNoChecksAndRoundTrips() throws Exception {
    tree.mkdir(path("/dir"));
    byte[] content = new byte[(6 << 20) + 123];
    new Random(7).nextBytes(content);
    RECORDER.reset();

    try (Upload upload = tree.openWrite(path("/dir/new.bin"), 0)) {
      upload.stream().write(content);
      upload.commit();
      assertThat(upload.bytesWritten()).isEqualTo(content.length);
    }

    // The parent exists and has no subdirectory: known from the mkdir a moment ago.
    assertThat(RECORDER.count("ListObjectsV2")).isZero();
    assertThat(RECORDER.count("HeadObject")).isZero();
    try (InputStream in = tree.openRead(path("/dir/new.bin"), 0)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    assertThat(tree.stat(path("/dir/new.bin")).size()).isEqualTo(content.length);
    assertThat(s3.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads()).isEmpty();
  }

  @Test
  void aParentSeenAMomentAgoIsNotListedAgainForTheNextFile() throws Exception {
    // Made by another session: this tree has never seen it.
    s3.putObject(b -> b.bucket(settings.bucket()).key(home + "/batch/"), RequestBody.empty());
    RECORDER.reset();
    storeNew("/batch/1.bin");
    assertThat(RECORDER.count("ListObjectsV2")).as("the parent's first page").isEqualTo(1);
    assertThat(RECORDER.count("HeadObject")).as("a hidden marker at the name").isEqualTo(1);

    RECORDER.reset();
    storeNew("/batch/2.bin");
    storeNew("/batch/3.bin");
    assertThat(RECORDER.count("ListObjectsV2")).isZero();
    assertThat(RECORDER.count("HeadObject")).isZero();
    assertThat(RECORDER.count("PutObject")).isEqualTo(2);
  }

  @Test
  void aListingAnswersTheChecksOfTheUploadsAfterIt() throws Exception {
    s3.putObject(b -> b.bucket(settings.bucket()).key(home + "/listed/"), RequestBody.empty());
    putFile("listed/sub/inner.txt", 1);
    assertThat(names(path("/listed"))).containsExactly("sub/");
    RECORDER.reset();

    storeNew("/listed/new.bin");
    assertFails(() -> tree.openWrite(path("/listed/sub"), 0), Reason.NOT_A_FILE)
        .hasMessage("Is a directory, not a file: /listed/sub");

    assertThat(RECORDER.count("ListObjectsV2")).isZero();
    assertThat(RECORDER.count("HeadObject")).isZero();
    assertThat(RECORDER.count("PutObject")).isEqualTo(1);
  }

  @Test
  void anotherSessionOfTheGatewaySharesWhatOneListed() throws Exception {
    tree.mkdir(path("/shared"));
    RECORDER.reset();

    S3FileTree other = treeAt(home);
    try (Upload upload = other.openWrite(path("/shared/x.bin"), 0)) {
      upload.stream().write(new byte[10]);
      upload.commit();
    }

    assertThat(RECORDER.count("ListObjectsV2") + RECORDER.count("HeadObject")).isZero();
  }

  @Test
  void aDirectoryLongerThanAPageChecksEachNewNameOnItsOwn() throws Exception {
    S3FileTree paged = smallPages(s3, checks);
    for (String name : List.of("a", "b", "c", "d")) {
      putFile("long/" + name, 1);
    }
    putFile("long/sub/inner.txt", 1);
    RECORDER.reset();

    try (Upload upload = paged.openWrite(path("/long/e.bin"), 0)) {
      upload.stream().write(new byte[10]);
      upload.commit();
    }
    // The first page (truncated), the name's own LIST and HEAD.
    assertThat(RECORDER.count("ListObjectsV2")).isEqualTo(2);
    assertThat(RECORDER.count("HeadObject")).isEqualTo(1);

    RECORDER.reset();
    Upload onSub = paged.openWrite(path("/long/sub"), 0);
    assertRefused(onSub, 10, Reason.NOT_A_FILE).hasMessage("Is a directory, not a file: /long/sub");
    // Seen a moment ago, so not listed again: the name's own LIST and HEAD only.
    assertThat(RECORDER.count("ListObjectsV2")).isEqualTo(1);
    assertThat(RECORDER.count("HeadObject")).isEqualTo(1);
  }

  @Test
  void aDirectoryThisTreeRemovedIsCheckedAgain() throws Exception {
    tree.mkdir(path("/gone"));
    storeNew("/gone/x.bin");
    tree.delete(path("/gone/x.bin"));
    tree.rmdir(path("/gone"));

    Upload upload = tree.openWrite(path("/gone/y.bin"), 0);
    assertRefused(upload, 100, Reason.NOT_FOUND)
        .hasMessage("Cannot store /gone/y.bin: parent directory /gone does not exist");
    assertNothingStoredAt(home + "/gone/y.bin");

    tree.mkdir(path("/moved"));
    storeNew("/moved/x.bin");
    tree.rename(path("/moved"), path("/elsewhere"));
    Upload late = tree.openWrite(path("/moved/y.bin"), 0);
    assertRefused(late, 100, Reason.NOT_FOUND);
    assertNothingStoredAt(home + "/moved/y.bin");
  }

  @Test
  void aDirectoryWithoutMarkerOutlivesItsLastFile() throws Exception {
    // Before, the directory vanished with its last key (S3 has no directories); an FTP client
    // that removed a directory's files expects the directory to stay until it sends RMD.
    putFile("implicit/only.txt", 3);
    storeNew("/implicit/second.bin");
    tree.delete(path("/implicit/second.bin"));
    tree.rename(path("/implicit/only.txt"), path("/moved-out.txt"));

    assertThat(keysUnder(home + "/implicit/")).containsExactly(home + "/implicit/");
    assertThat(names(path("/implicit"))).isEmpty();
    storeNew("/implicit/y.bin");
    assertThat(names(path("/implicit"))).containsExactly("y.bin");
  }

  private void storeNew(String file) throws Exception {
    try (Upload upload = tree.openWrite(path(file), 0)) {
      upload.stream().write(new byte[1000]);
      upload.commit();
    }
  }

  @Test
  void resumingChecksBeforeAnyTransfer() throws Exception {
    tree.mkdir(path("/dir"));
    assertFails(() -> tree.openWrite(path("/dir"), 10), Reason.NOT_A_FILE)
        .hasMessage("Is a directory, not a file: /dir");
    assertFails(() -> tree.openWrite(path("/nodir/x.txt"), 10), Reason.NOT_FOUND)
        .hasMessage("Cannot store /nodir/x.txt: parent directory /nodir does not exist");
  }

  // ---- rename

  @Test
  void renamingAFileCopiesBytesAndMetadataThenRemovesTheSource() throws Exception {
    byte[] body = putFile("old.txt", 1000);
    tree.mkdir(path("/dest"));

    tree.rename(path("/old.txt"), path("/dest/new.txt"));

    assertThat(keysUnder(home + "/")).containsExactly(home + "/dest/", home + "/dest/new.txt");
    assertThat(read(home + "/dest/new.txt")).isEqualTo(body);
    assertThat(head(home + "/dest/new.txt").metadata()).containsAllEntriesOf(DZ_METADATA);
    assertThat(tree.stat(path("/dest/new.txt")).size()).isEqualTo(1000);
  }

  @Test
  void renamingAFileOverAnotherReplacesIt() throws Exception {
    byte[] body = putFile("a", 10);
    putFile("b", 20);
    tree.rename(path("/a"), path("/b"));
    assertThat(keysUnder(home + "/")).containsExactly(home + "/b");
    assertThat(read(home + "/b")).isEqualTo(body);
  }

  @Test
  void aFileUploadedAgainWhileItIsRenamedStaysWhereItWasUploaded() throws Exception {
    tree.mkdir(path("/in"));
    tree.mkdir(path("/done"));
    byte[] first = putFile("in/a.csv", 10);
    byte[][] second = new byte[1][];
    RECORDER.afterNext("CopyObject", () -> second[0] = putFile("in/a.csv", 11));

    tree.rename(path("/in/a.csv"), path("/done/a.csv"));

    assertThat(read(home + "/done/a.csv")).isEqualTo(first);
    assertThat(read(home + "/in/a.csv")).as("the upload confirmed meanwhile").isEqualTo(second[0]);
  }

  @Test
  void aRenameReadsEachAnswerToItsConditionalDeleteOfTheSource() throws Exception {
    byte[] body = putFile("a", 10);
    // 412: replaced between the check and the delete. The rename is done; the source stays.
    RECORDER.answerNext("DeleteObject", 412, "PreconditionFailed");
    tree.rename(path("/a"), path("/b"));
    assertThat(keysUnder(home + "/")).containsExactly(home + "/a", home + "/b");

    // 501 or 400: a server without conditional deletes gets the delete without the condition.
    RECORDER.answerNext("DeleteObject", 501, "NotImplemented");
    tree.rename(path("/b"), path("/c"));
    assertThat(keysUnder(home + "/")).containsExactly(home + "/a", home + "/c");

    // 409: a write to the source was under way; checked again, then deleted.
    RECORDER.answerNext("DeleteObject", 409, "ConditionalRequestConflict");
    tree.rename(path("/c"), path("/d"));
    assertThat(keysUnder(home + "/")).containsExactly(home + "/a", home + "/d");
    assertThat(read(home + "/d")).isEqualTo(body);

    // 409 twice: reported as a rename that left its source, which the client is told to delete.
    RECORDER.answerNext("DeleteObject", 409, "ConditionalRequestConflict");
    RECORDER.answerNext("DeleteObject", 409, "ConditionalRequestConflict");
    assertThatThrownBy(() -> tree.rename(path("/d"), path("/e")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("could not remove /d");
    assertThat(keysUnder(home + "/")).containsExactly(home + "/a", home + "/d", home + "/e");
  }

  @Test
  void aFileUploadedAgainWhileItsDirectoryIsRenamedStaysWhereItWasUploaded() throws Exception {
    tree.mkdir(path("/src"));
    byte[] first = putFile("src/a.csv", 10);
    byte[][] second = new byte[1][];
    RECORDER.afterNext("CopyObject", () -> second[0] = putFile("src/a.csv", 11));

    tree.rename(path("/src"), path("/dst"));

    assertThat(read(home + "/dst/a.csv")).isEqualTo(first);
    assertThat(read(home + "/src/a.csv")).as("the upload confirmed meanwhile").isEqualTo(second[0]);
  }

  @Test
  void renamingANonEmptyDirectoryMovesEverythingBelowIt() throws Exception {
    tree.mkdir(path("/src"));
    tree.mkdir(path("/src/sub"));
    tree.mkdir(path("/src/sub/empty"));
    byte[] one = putFile("src/one.txt", 1);
    byte[] two = putFile("src/sub/two.txt", 2);
    byte[] three = putFile("src/implied/three.txt", 3);
    putFile("srcx/sibling.txt", 4); // shares the name prefix: must stay

    tree.rename(path("/src"), path("/dst"));

    assertThat(keysUnder(home + "/src/")).isEmpty();
    assertThat(keysUnder(home + "/dst/"))
        .containsExactly(
            home + "/dst/",
            home + "/dst/implied/three.txt",
            home + "/dst/one.txt",
            home + "/dst/sub/",
            home + "/dst/sub/empty/",
            home + "/dst/sub/two.txt");
    assertThat(read(home + "/dst/one.txt")).isEqualTo(one);
    assertThat(read(home + "/dst/sub/two.txt")).isEqualTo(two);
    assertThat(read(home + "/dst/implied/three.txt")).isEqualTo(three);
    assertThat(head(home + "/dst/sub/two.txt").metadata()).containsAllEntriesOf(DZ_METADATA);
    assertThat(keysUnder(home + "/srcx/")).containsExactly(home + "/srcx/sibling.txt");
    assertThat(names(VirtualPath.ROOT)).containsExactlyInAnyOrder("dst/", "srcx/");
  }

  @Test
  void aListingWhosePagesCannotBeFetchedAnyMoreFailsWithTheStoresReason() throws Exception {
    for (int i = 0; i < 10; i++) {
      putFile("paged/f" + i, i);
    }
    TreeRequests closing = new TreeRequests(2);
    S3FileTree smallPages = smallPages(s3, closing);
    try (Stream<FileInfo> listing = smallPages.list(path("/paged"))) {
      Iterator<FileInfo> entries = listing.iterator();
      closing.close();
      assertThatThrownBy(() -> entries.forEachRemaining(e -> {}))
          .isInstanceOf(UncheckedIOException.class)
          .cause()
          .isInstanceOf(StoreException.class)
          .hasMessage("The store is shutting down");
    }
  }

  @Test
  void aTruncatedPageWithoutAContinuationTokenFailsTheListingInsteadOfRestartingIt()
      throws Exception {
    for (int i = 0; i < 10; i++) {
      putFile("tokenless/f" + i, i);
    }
    ExecutionInterceptor dropToken =
        new ExecutionInterceptor() {
          @Override
          public SdkResponse modifyResponse(
              Context.ModifyResponse context, ExecutionAttributes attributes) {
            if (context.response() instanceof ListObjectsV2Response page
                && Boolean.TRUE.equals(page.isTruncated())) {
              return page.toBuilder().nextContinuationToken(null).build();
            }
            return context.response();
          }
        };
    try (S3Client broken =
        S3Clients.builder(settings)
            .overrideConfiguration(c -> c.addExecutionInterceptor(dropToken))
            .build()) {
      S3FileTree smallPages = smallPages(broken, checks);
      // Found with the first page, so the client gets a reply before any listing data.
      assertFails(() -> smallPages.list(path("/tokenless")), Reason.STORAGE_UNAVAILABLE)
          .hasMessage(
              "Could not list /tokenless: storage said the listing goes on but gave no"
                  + " continuation token");
    }
  }

  @Test
  void aDirectoryOfSeveralListingPagesMovesCompletely() throws Exception {
    // Pages of 3 keys: sources are deleted while later pages are still to be listed, and paging
    // must still reach every object.
    S3FileTree smallPages = smallPages(s3, checks);
    tree.mkdir(path("/big"));
    tree.mkdir(path("/big/sub"));
    for (int i = 0; i < 10; i++) {
      putFile("big/f" + i, i);
      putFile("big/sub/g" + i, i);
    }
    RECORDER.reset();

    smallPages.rename(path("/big"), path("/moved"));

    assertThat(RECORDER.count("ListObjectsV2")).isGreaterThanOrEqualTo(22 / 3);
    assertThat(keysUnder(home + "/big/")).isEmpty();
    assertThat(keysUnder(home + "/moved/")).hasSize(22);
    try (Stream<FileInfo> listing = smallPages.list(path("/moved/sub"))) {
      assertThat(listing.map(FileInfo::size))
          .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }
  }

  @Test
  void renameRefusesWhatFtpWouldRefuse() throws Exception {
    tree.mkdir(path("/dir"));
    tree.mkdir(path("/other"));
    putFile("dir/f", 1);
    putFile("file", 1);

    assertFails(() -> tree.rename(path("/missing"), path("/x")), Reason.NOT_FOUND);
    assertFails(() -> tree.rename(VirtualPath.ROOT, path("/x")), Reason.ACCESS_DENIED);
    assertFails(() -> tree.rename(path("/file"), VirtualPath.ROOT), Reason.ALREADY_EXISTS);
    assertFails(() -> tree.rename(path("/dir"), path("/dir/inside")), Reason.INVALID_PATH)
        .hasMessage("Cannot move directory /dir into itself (/dir/inside)");
    assertFails(() -> tree.rename(path("/dir"), path("/dir")), Reason.INVALID_PATH);
    assertFails(() -> tree.rename(path("/dir"), path("/other")), Reason.ALREADY_EXISTS)
        .hasMessage("Already exists: /other");
    assertFails(() -> tree.rename(path("/dir"), path("/file")), Reason.ALREADY_EXISTS);
    assertFails(() -> tree.rename(path("/file"), path("/other")), Reason.ALREADY_EXISTS);
    assertFails(() -> tree.rename(path("/file"), path("/nodir/file")), Reason.NOT_FOUND)
        .hasMessage("Cannot rename to /nodir/file: parent directory /nodir does not exist");
    assertFails(() -> tree.rename(path("/dir"), path("/nodir/dir")), Reason.NOT_FOUND);

    assertThat(keysUnder(home + "/"))
        .containsExactly(home + "/dir/", home + "/dir/f", home + "/file", home + "/other/");
  }

  @Test
  void aDirectoryRenameThatStopsPartWaySaysWhatMovedAndLosesNothing() throws Exception {
    tree.mkdir(path("/src"));
    for (int i = 0; i < 5; i++) {
      putFile("src/f" + i, i);
    }
    List<String> before = keysUnder(home + "/src/");
    RECORDER.failAfter("CopyObject", 3);

    assertFails(() -> tree.rename(path("/src"), path("/dst")), Reason.PARTIAL)
        .hasMessageStartingWith(
            "Rename of /src to /dst stopped part way: moved 3 object(s) (/src/f0, /src/f1,"
                + " /src/f2) to /dst; /src/f3 could not be copied, and everything not listed as"
                + " moved is still in /src.")
        .hasMessageEndingWith(
            "Cause: Storage unreachable while trying to rename /src to /dst, try again later");
    RECORDER.reset();

    // Both directories exist (each with its marker); every file is in exactly one of them.
    List<String> after = new ArrayList<>(keysUnder(home + "/src/"));
    keysUnder(home + "/dst/").stream()
        .filter(k -> !k.endsWith("/"))
        .forEach(k -> after.add(k.replace("/dst/", "/src/")));
    assertThat(after).containsExactlyInAnyOrderElementsOf(before);
    assertThat(keysUnder(home + "/dst/"))
        .containsExactly(home + "/dst/", home + "/dst/f0", home + "/dst/f1", home + "/dst/f2");
  }

  @Test
  void aDirectoryRenameThatFailsBeforeMovingAnythingReportsThePlainCause() throws Exception {
    putFile("src/f", 1);
    RECORDER.failAfter("CopyObject", 0);
    assertFails(() -> tree.rename(path("/src"), path("/dst")), Reason.STORAGE_UNAVAILABLE)
        .hasMessageContaining("rename /src to /dst");
    RECORDER.reset();
    assertThat(keysUnder(home + "/")).containsExactly(home + "/src/f");
  }

  @Test
  void aDirectoryRenameThatWouldMakeAKeyTooLongMovesNothing() throws Exception {
    String deep = "d".repeat(900);
    putFile("s/" + deep, 1);
    putFile("s/short", 1);
    assertFails(() -> tree.rename(path("/s"), path("/" + "t".repeat(200))), Reason.INVALID_PATH)
        .hasMessageContaining("nothing was moved");
    assertThat(keysUnder(home + "/")).containsExactly(home + "/s/" + deep, home + "/s/short");
  }

  @Test
  void largeObjectsAreRenamedWithMultipartCopy() throws Exception {
    S3FileTree smallParts =
        new S3FileTree(
            s3,
            settings,
            home,
            TestKeys.session("alice"),
            transfers,
            checks,
            new ObjectCopier.Limits(5L << 20, 5L << 20),
            1000);
    byte[] body = putFile("big.bin", 12 << 20);
    RECORDER.reset();

    smallParts.rename(path("/big.bin"), path("/moved.bin"));

    assertThat(RECORDER.count("UploadPartCopy")).isEqualTo(3);
    assertThat(RECORDER.count("CopyObject")).isZero();
    assertThat(keysUnder(home + "/")).containsExactly(home + "/moved.bin");
    assertThat(read(home + "/moved.bin")).isEqualTo(body);
    HeadObjectResponse moved = head(home + "/moved.bin");
    assertThat(moved.metadata()).containsAllEntriesOf(DZ_METADATA);
    assertThat(moved.contentType()).isEqualTo("application/octet-stream");
    assertThat(smallParts.stat(path("/moved.bin")).size()).isEqualTo(12 << 20);
    assertThat(s3.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads()).isEmpty();
  }

  // ---- confinement

  @Test
  void usersNeverSeeEachOthersObjects() throws Exception {
    S3FileTree al = treeAt(settings.key("users/al")); // a name prefix of "alice"
    tree.mkdir(path("/private"));
    putFile("secret.txt", 1);

    assertThat(names(VirtualPath.ROOT)).containsExactlyInAnyOrder("private/", "secret.txt");
    try (Stream<FileInfo> listing = al.list(VirtualPath.ROOT)) {
      assertThat(listing).isEmpty();
    }
    assertFails(() -> al.stat(path("/secret.txt")), Reason.NOT_FOUND);
    assertFails(() -> al.stat(path("/private")), Reason.NOT_FOUND);
    assertFails(() -> al.delete(path("/secret.txt")), Reason.NOT_FOUND);
    al.mkdir(path("/private"));
    assertThat(keysUnder(settings.key("users/al/")))
        .containsExactly(settings.key("users/al/private/"));
  }

  @Test
  void aHomeCannotOverlapTheReservedArea() {
    for (String homeKey :
        List.of(
            settings.key(".dropzone"),
            settings.key(".dropzone/keys"),
            settings.prefix(),
            "",
            home + "/")) {
      assertThatThrownBy(() -> treeAt(homeKey))
          .as(homeKey)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ---- helpers

  private S3FileTree treeAt(String homeKey) {
    return new S3FileTree(s3, settings, homeKey, TestKeys.session("alice"), transfers, checks);
  }

  /** A tree over {@code client} whose listings come three keys to a page. */
  private S3FileTree smallPages(S3Client client, TreeRequests requests) {
    return new S3FileTree(
        client,
        settings,
        home,
        TestKeys.session("alice"),
        transfers,
        requests,
        ObjectCopier.Limits.S3,
        3);
  }

  private static VirtualPath path(String p) {
    try {
      return VirtualPath.of(p);
    } catch (StoreException e) {
      throw new AssertionError(e);
    }
  }

  /** Stores random bytes of a valid ciphertext length for {@code plaintext} bytes at home/rel. */
  private byte[] putFile(String rel, long plaintext) {
    byte[] body = new byte[(int) ObjectFormat.ciphertextSize(plaintext)];
    new Random(plaintext).nextBytes(body);
    s3.putObject(
        b -> b.bucket(settings.bucket()).key(home + "/" + rel).metadata(DZ_METADATA),
        RequestBody.fromBytes(body));
    return body;
  }

  /** Neither an object at {@code key} nor any multipart upload is left. */
  private void assertNothingStoredAt(String key) {
    assertThat(keysUnder(key)).doesNotContain(key);
    assertThat(s3.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads()).isEmpty();
  }

  private void putRaw(String key, byte[] body) {
    s3.putObject(b -> b.bucket(settings.bucket()).key(key), RequestBody.fromBytes(body));
  }

  private byte[] read(String key) {
    return s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key)).asByteArray();
  }

  private HeadObjectResponse head(String key) {
    return s3.headObject(b -> b.bucket(settings.bucket()).key(key));
  }

  private List<String> keysUnder(String prefix) {
    return s3
        .listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(prefix))
        .contents()
        .stream()
        .map(S3Object::key)
        .collect(Collectors.toList());
  }

  /** Entry names of {@code dir}, directories with a trailing slash. */
  private List<String> names(VirtualPath dir) throws Exception {
    try (Stream<FileInfo> listing = tree.list(dir)) {
      return listing.map(f -> f.name() + (f.directory() ? "/" : "")).collect(Collectors.toList());
    }
  }

  /** Writes and commits; the refusal may come at a write (once the checks failed) or the commit. */
  private static AbstractThrowableAssert<?, ?> assertRefused(
      Upload upload, int bytes, Reason reason) {
    return assertFails(
        () -> {
          upload.stream().write(new byte[bytes]);
          upload.commit();
        },
        reason);
  }

  private static AbstractThrowableAssert<?, ?> assertFails(ThrowingCallable call, Reason reason) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
