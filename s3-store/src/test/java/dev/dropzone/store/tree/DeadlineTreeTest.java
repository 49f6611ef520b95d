package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.s3.StorageDeadline;
import dev.dropzone.store.testing.FaultyTcpProxy;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import dev.dropzone.store.transfer.ObjectTransfers;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** A listing of many pages under the command deadline: each page gets the whole deadline. */
class DeadlineTreeTest {

  private static final Duration DEADLINE = Duration.ofSeconds(1);

  /** An S3 server that takes its time over each copy: a third of the deadline. */
  private static final ExecutionInterceptor SLOW_COPIES =
      new ExecutionInterceptor() {
        @Override
        public void beforeTransmission(
            Context.BeforeTransmission context, ExecutionAttributes attributes) {
          if ("CopyObject".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
            try {
              Thread.sleep(DEADLINE.toMillis() / 3);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
      };

  /** Ten pages of three: more than the listing reads ahead. */
  private static final int FILES = 30;

  private static S3ProxyFixture server;
  private static FaultyTcpProxy proxy;
  private static S3Settings settings;
  private static S3Client s3;
  private static ObjectTransfers transfers;
  private static TreeRequests requests;
  private static FileTree tree;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyFixture.inMemory();
    S3Settings direct = server.bucket("pages", "");
    proxy = FaultyTcpProxy.inFrontOf(server.endpoint());
    settings =
        S3Settings.of(
                proxy.endpoint(),
                direct.region(),
                direct.accessKeyId(),
                direct.secretAccessKey(),
                direct.bucket(),
                "")
            .withCommandDeadline(DEADLINE);
    s3 = S3Clients.builder(settings, SLOW_COPIES).build();
    transfers = new ObjectTransfers(s3, settings);
    requests = new TreeRequests(2);
    tree = treeOf("users/alice");
    for (int i = 0; i < FILES; i++) {
      String key = String.format("users/alice/f%02d", i);
      s3.putObject(b -> b.bucket("pages").key(key), RequestBody.fromBytes(new byte[56]));
    }
  }

  /** A tree whose listings come three keys to a page, under the deadline. */
  private static FileTree treeOf(String home) {
    return treeOf(home, 3);
  }

  private static FileTree treeOf(String home, int pageSize) {
    return new DeadlineTree(
        new S3FileTree(
            s3,
            settings,
            home,
            TestKeys.session("alice"),
            transfers,
            requests,
            ObjectCopier.Limits.S3,
            pageSize),
        DEADLINE);
  }

  @AfterAll
  static void stop() throws Exception {
    requests.close();
    transfers.close();
    s3.close();
    proxy.close();
    server.close();
  }

  @Test
  void aSlowConsumerOutlastsTheDeadlineWhileEveryPageArrives() throws Exception {
    int seen = 0;
    try (Stream<FileInfo> listing = tree.list(VirtualPath.ROOT)) {
      for (Iterator<FileInfo> entries = listing.iterator(); entries.hasNext(); seen++) {
        entries.next();
        Thread.sleep(DEADLINE.toMillis() / 15); // a client that reads its listing slowly
      }
    }
    assertThat(seen).isEqualTo(FILES);
  }

  @Test
  void aDirectoryRenameOutlastsTheCommandsDeadlineObjectByObject() throws Exception {
    FileTree bobs = treeOf("users/bob");
    for (int i = 0; i < 6; i++) {
      String key = "users/bob/moving/f" + i;
      s3.putObject(b -> b.bucket("pages").key(key), RequestBody.fromBytes(new byte[56]));
    }

    // Six copies take twice the deadline: as one command they still succeed, step by step.
    try (StorageDeadline.Scope command = StorageDeadline.within(DEADLINE)) {
      bobs.rename(VirtualPath.of("/moving"), VirtualPath.of("/moved"));
    }

    try (Stream<FileInfo> listing = bobs.list(VirtualPath.of("/moved"))) {
      assertThat(listing).hasSize(6);
    }
    assertThatThrownBy(() -> bobs.stat(VirtualPath.of("/moving")))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
  }

  /**
   * A directory rename's first listing of what is below it fails (the S3 server is away): that is
   * storage unavailable, as for any other call, never an unexpected SDK exception (which the
   * gateway answers as an internal error and logs as a bug).
   */
  @Test
  void aDirectoryRenameWhoseFirstListingFailsIsStorageUnavailable() throws Exception {
    ExecutionInterceptor failingMoveListings =
        new ExecutionInterceptor() {
          @Override
          public void beforeTransmission(
              Context.BeforeTransmission context, ExecutionAttributes attributes) {
            String query = context.httpRequest().encodedQueryParameters().orElse("");
            // The move's own listing: every key below, a page of three, no delimiter.
            if (query.contains("max-keys=3") && !query.contains("delimiter")) {
              throw SdkClientException.create("Unable to execute HTTP request: Connection refused");
            }
          }
        };
    for (int i = 0; i < 3; i++) {
      String key = "users/dave/stuck/f" + i;
      s3.putObject(b -> b.bucket("pages").key(key), RequestBody.fromBytes(new byte[56]));
    }
    try (S3Client failing = S3Clients.builder(settings, failingMoveListings).build()) {
      FileTree daves =
          new DeadlineTree(
              new S3FileTree(
                  failing,
                  settings,
                  "users/dave",
                  TestKeys.session("dave"),
                  transfers,
                  requests,
                  ObjectCopier.Limits.S3,
                  3),
              DEADLINE);
      try (StorageDeadline.Scope command = StorageDeadline.within(DEADLINE)) {
        assertThatThrownBy(() -> daves.rename(VirtualPath.of("/stuck"), VirtualPath.of("/moved")))
            .isInstanceOfSatisfying(
                StoreException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.STORAGE_UNAVAILABLE));
      }
    }
    try (Stream<FileInfo> listing = treeOf("users/dave").list(VirtualPath.of("/stuck"))) {
      assertThat(listing).as("nothing moved").hasSize(3);
    }
  }

  @Test
  void aPageThatStallsEndsTheListingWithinTheDeadline() throws Exception {
    assertStallEndsTheListing(tree.listWithoutTimes(VirtualPath.ROOT), "S3 ListObjectsV2");
  }

  /**
   * The files' recorded times need a HEAD each (these objects were not written by the gateway),
   * asked for while the caller iterates, outside any deadline of its own: each HEAD has the
   * listing's deadline, or a stalled one waits out the S3 client's socket timeouts (two minutes
   * with its retry).
   */
  @Test
  void aTimeLookupThatStallsEndsTheListingWithinTheDeadline() throws Exception {
    // One page: after the pause, the only calls are the HEADs of the entries beyond the first
    // lookups, asked for as the caller iterates.
    for (int i = 0; i < FILES; i++) {
      String key = String.format("users/carol/f%02d", i);
      s3.putObject(b -> b.bucket("pages").key(key), RequestBody.fromBytes(new byte[56]));
    }
    FileTree onePage = treeOf("users/carol", 1000);
    assertStallEndsTheListing(onePage.list(VirtualPath.ROOT), "S3 HeadObject");
  }

  /**
   * After the first entry the S3 server stops answering: the rest of the listing fails as storage
   * unavailable, naming the call that stalled, within a few deadlines rather than the S3 client's
   * socket timeouts (60 s per attempt). The bound is functional, not a speed target.
   */
  private static void assertStallEndsTheListing(Stream<FileInfo> stream, String call) {
    try (Stream<FileInfo> listing = stream) {
      Iterator<FileInfo> entries = listing.iterator();
      entries.next();
      proxy.pause();
      long start = System.nanoTime();
      try {
        assertThatThrownBy(() -> entries.forEachRemaining(e -> {}))
            .isInstanceOf(UncheckedIOException.class)
            .cause()
            .isInstanceOfSatisfying(
                StoreException.class,
                e -> {
                  assertThat(e.reason()).isEqualTo(Reason.STORAGE_UNAVAILABLE);
                  assertThat(e.getMessage()).contains(call);
                });
      } finally {
        proxy.resume();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DEADLINE.multipliedBy(20));
    }
  }
}
