package dev.dropzone.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.testing.FaultyTcpProxy;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The command deadline against an S3 server behind a proxy that stops answering: calls give up in
 * time, say which S3 call stalled, and everything works again once S3 answers, while transfers and
 * long listings that keep making progress are not cut off.
 */
class StorageDeadlineTest {

  private static final Duration DEADLINE = Duration.ofSeconds(2);

  /** Far below the minutes a stalled call took before (retries × socket timeout). */
  private static final long WELL_WITHIN_MILLIS = 20_000;

  private static final AtomicInteger HOMES = new AtomicInteger();
  private static S3ProxyFixture server;
  private static FaultyTcpProxy proxy;
  private static EncryptedStore store;

  private FileTree tree;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyFixture.inMemory();
    S3Settings direct = server.bucket("deadline", "dz");
    proxy = FaultyTcpProxy.inFrontOf(server.endpoint());
    store =
        EncryptedStore.open(
            S3Settings.of(
                    proxy.endpoint(),
                    direct.region(),
                    direct.accessKeyId(),
                    direct.secretAccessKey(),
                    direct.bucket(),
                    direct.prefix())
                .withPartSize(S3Settings.MIN_PART_SIZE)
                .withCommandDeadline(DEADLINE));
  }

  @AfterAll
  static void stop() throws Exception {
    store.close();
    proxy.close();
    server.close();
  }

  @BeforeEach
  void home() throws Exception {
    tree = store.tree("alice", "users/alice" + HOMES.incrementAndGet(), new TestKeys());
  }

  @AfterEach
  void heal() {
    proxy.resume();
  }

  @Test
  void aListingWithStorageStalledFailsInTimeNamingTheCallAndWorksOnceStorageAnswers()
      throws Exception {
    tree.mkdir(path("/docs"));
    proxy.pause();

    long started = System.nanoTime();
    assertThatThrownBy(() -> tree.list(path("/docs")))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.STORAGE_UNAVAILABLE);
              assertThat(e.getMessage())
                  .startsWith("Storage did not answer in time to list /docs: S3 ListObjectsV2")
                  .contains("prefix=dz/users/alice")
                  .endsWith("when the command's deadline of 2.0 s (s3.commandDeadline) passed");
            });
    assertThat(millisSince(started)).isLessThan(WELL_WITHIN_MILLIS);

    proxy.resume();
    tree.mkdir(path("/docs/2025"));
    assertThat(names(path("/docs"))).containsExactly("2025");
  }

  @Test
  void oneDeadlineCoversEveryCallOfAnOperationAndItsRetries() throws Exception {
    proxy.pause();
    long started = System.nanoTime();
    // A missing name costs three calls (HEAD file, HEAD marker, LIST): all share one deadline.
    assertThatThrownBy(() -> tree.stat(path("/missing")))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.STORAGE_UNAVAILABLE));
    assertThat(millisSince(started)).isLessThan(WELL_WITHIN_MILLIS);

    // A caller's deadline spans several tree operations: once it has passed, the next call
    // fails at once instead of waiting another full deadline.
    try (StorageDeadline.Scope command = StorageDeadline.within(DEADLINE)) {
      assertThatThrownBy(() -> tree.stat(path("/a"))).isInstanceOf(StoreException.class);
      long second = System.nanoTime();
      assertThatThrownBy(() -> tree.stat(path("/b")))
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> assertThat(e.getMessage()).contains("not started: the time was used up"));
      assertThat(millisSince(second)).isLessThan(DEADLINE.toMillis());
    }
  }

  @Test
  void uploadsAndDownloadsOutlastTheDeadline() throws Exception {
    byte[] content = new byte[(6 << 20) + 77]; // two parts
    try (Upload upload = tree.openWrite(path("/slow.bin"), 0)) {
      upload.stream().write(content, 0, 1 << 20);
      Thread.sleep(DEADLINE.toMillis() + 500); // a client that sends slowly
      upload.stream().write(content, 1 << 20, content.length - (1 << 20));
      upload.commit();
    }
    // A client that reads slowly: the download outlasts the deadline that bounded its opening.
    try (InputStream in = tree.openRead(path("/slow.bin"), 0)) {
      byte[] first = in.readNBytes(1 << 20);
      Thread.sleep(DEADLINE.toMillis() + 500);
      assertThat(first.length + in.readAllBytes().length).isEqualTo(content.length);
    }
    assertThat(tree.stat(path("/slow.bin")).size()).isEqualTo(content.length);
  }

  private List<String> names(VirtualPath dir) throws Exception {
    try (Stream<FileInfo> listing = tree.list(dir)) {
      return listing.map(FileInfo::name).toList();
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static VirtualPath path(String p) throws StoreException {
    return VirtualPath.of(p);
  }
}
