package dev.dropzone.store.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.MarkerDialect;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.TestKeys;
import dev.dropzone.store.transfer.ObjectTransfers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The tree's directory behaviour on every shape of S3 server it may meet: S3Proxy's in-memory,
 * jclouds-filesystem and nio2-filesystem stores as they are, and the in-memory store made to answer
 * listings as AWS, MinIO and Dropzone's earlier embedded store did (see {@link MarkerDialect}).
 * Each case runs on each shape, in its own home.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectoryShapesTest {

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final Map<String, String> DZ_METADATA =
      Map.of(
          "dz-format", "1",
          "dz-alg", ObjectFormat.ALGORITHM,
          "dz-key", "d3JhcHBlZA==",
          "dz-key-ref", TestKeys.REF,
          "dz-user", "alice");

  /** One S3 server as the tree sees it. */
  record Shape(String name, S3Settings settings, S3Client s3) {
    @Override
    public String toString() {
      return name;
    }
  }

  private final List<S3ProxyFixture> servers = new ArrayList<>();
  private final List<Shape> shapes = new ArrayList<>();
  private final List<ObjectTransfers> transfers = new ArrayList<>();
  private TreeRequests requests;

  @BeforeAll
  void startServers(@TempDir Path disk) throws Exception {
    requests = new TreeRequests(4);
    S3ProxyFixture memory = start(S3ProxyFixture.inMemory());
    shapes.add(shape("S3Proxy in-memory", memory));
    shapes.add(shape("AWS", memory, MarkerDialect.AWS));
    shapes.add(shape("MinIO", memory, MarkerDialect.AWS, MarkerDialect.HIDDEN_OWN_MARKER));
    shapes.add(
        shape("listed prefix as common prefix", memory, MarkerDialect.PREFIX_AS_COMMON_PREFIX));
    shapes.add(
        shape(
            "S3Proxy filesystem",
            start(S3ProxyFixture.onDisk("filesystem", disk.resolve("jclouds")))));
    shapes.add(
        shape(
            "S3Proxy filesystem-nio2",
            start(S3ProxyFixture.onDisk("filesystem-nio2", disk.resolve("nio2")))));
  }

  @AfterAll
  void stopServers() throws Exception {
    requests.close();
    for (ObjectTransfers t : transfers) {
      t.close();
    }
    for (Shape shape : shapes) {
      shape.s3().close();
    }
    for (S3ProxyFixture server : servers) {
      server.close();
    }
  }

  List<Shape> shapes() {
    return shapes;
  }

  // ---- listing and stat

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void anEmptyDirectoryListsAsEmptyAndHasItsMarkersTime(Shape shape) throws Exception {
    Home home = new Home(shape);
    Instant before = Instant.now().minusSeconds(2);
    home.tree.mkdir(path("/empty"));

    assertThat(home.names("/empty")).isEmpty();
    FileInfo empty = home.tree.stat(path("/empty"));
    assertThat(empty.directory()).isTrue();
    assertThat(empty.lastModified()).isAfter(before);
    assertThat(home.names("/")).containsExactly("empty/");
    assertThat(home.entries("/").get(0).lastModified()).isAfter(before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void subdirectoriesListOnceEachWithTheirTimes(Shape shape) throws Exception {
    Home home = new Home(shape);
    Instant before = Instant.now().minusSeconds(2);
    home.tree.mkdir(path("/a"));
    home.tree.mkdir(path("/a/empty"));
    home.tree.mkdir(path("/a/full"));
    home.putFile("a/full/inner.bin", 10);
    home.putFile("a/implied/deep/g.bin", 20); // known only by the prefix of a deeper file
    home.putFile("a/f.bin", 30);
    home.putFile("a/full.txt", 40); // sorts between "full" and "full/"

    List<FileInfo> entries = home.entries("/a");

    assertThat(entries.stream().map(DirectoryShapesTest::label))
        .containsExactlyInAnyOrder("empty/", "f.bin", "full/", "full.txt", "implied/");
    assertThat(entries).allSatisfy(e -> assertThat(e.lastModified()).isAfter(before));
    assertThat(entries.stream().filter(e -> !e.directory()).map(FileInfo::size))
        .containsExactlyInAnyOrder(30L, 40L);
    FileInfo implied = home.tree.stat(path("/a/implied"));
    assertThat(implied.directory()).isTrue();
    assertThat(implied.lastModified()).isAfter(before);
    assertThat(home.names("/a/implied")).containsExactly("deep/");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void filesAndDirectoriesAreToldApart(Shape shape) throws Exception {
    Home home = new Home(shape);
    home.tree.mkdir(path("/dir"));
    home.putFile("file.bin", 5);

    assertThat(home.tree.stat(path("/file.bin")).directory()).isFalse();
    assertThat(home.tree.stat(path("/file.bin")).size()).isEqualTo(5);
    assertThat(home.tree.stat(path("/dir")).directory()).isTrue();
    assertFails(() -> home.tree.list(path("/file.bin")), Reason.NOT_A_DIRECTORY);
    assertFails(() -> home.tree.list(path("/missing")), Reason.NOT_FOUND);
    assertFails(() -> home.tree.stat(path("/missing")), Reason.NOT_FOUND);
    assertFails(() -> home.tree.openRead(path("/dir"), 0), Reason.NOT_A_FILE);
    assertFails(() -> home.tree.delete(path("/dir")), Reason.NOT_A_FILE);
    assertFails(() -> home.tree.mkdir(path("/dir")), Reason.ALREADY_EXISTS);
    assertFails(() -> home.tree.mkdir(path("/file.bin")), Reason.ALREADY_EXISTS);
    assertFails(() -> home.tree.rmdir(path("/file.bin")), Reason.NOT_A_DIRECTORY);
    Upload onDirectory = home.tree.openWrite(path("/dir"), 0);
    assertFails(
        () -> {
          onDirectory.stream().write(new byte[10]);
          onDirectory.commit();
        },
        Reason.NOT_A_FILE);
    assertThat(home.names("/")).containsExactly("dir/", "file.bin");
  }

  // ---- removing

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void removingTheLastEntryNeverRemovesTheDirectoryItWasIn(Shape shape) throws Exception {
    Home home = new Home(shape);
    home.putFile("implied/only.bin", 1); // a directory with no marker
    home.putFile("moving/out.bin", 2);
    home.putRaw("parent/child/"); // a marker whose parent has none
    home.tree.mkdir(path("/marked"));
    home.tree.mkdir(path("/marked/sub"));

    home.tree.delete(path("/implied/only.bin"));
    home.tree.rename(path("/moving/out.bin"), path("/out.bin"));
    home.tree.rmdir(path("/parent/child"));
    home.tree.rmdir(path("/marked/sub"));

    for (String dir : List.of("/implied", "/moving", "/parent", "/marked")) {
      assertThat(home.tree.stat(path(dir)).directory()).as(dir).isTrue();
      assertThat(home.names(dir)).as(dir).isEmpty();
    }
    assertThat(home.names("/"))
        .containsExactly("implied/", "marked/", "moving/", "out.bin", "parent/");
    for (String dir : List.of("/implied", "/moving", "/parent", "/marked")) {
      home.tree.rmdir(path(dir));
    }
    assertThat(home.names("/")).containsExactly("out.bin");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void rmdirRemovesOnlyEmptyDirectories(Shape shape) throws Exception {
    Home home = new Home(shape);
    home.tree.mkdir(path("/full"));
    home.tree.mkdir(path("/full/sub"));
    home.tree.mkdir(path("/withfile"));
    home.putFile("withfile/f.bin", 1);

    assertFails(() -> home.tree.rmdir(path("/full")), Reason.NOT_EMPTY);
    assertFails(() -> home.tree.rmdir(path("/withfile")), Reason.NOT_EMPTY);
    assertFails(() -> home.tree.rmdir(path("/missing")), Reason.NOT_FOUND);
    assertThat(home.names("/full")).containsExactly("sub/");
    assertThat(home.names("/withfile")).containsExactly("f.bin");
  }

  // ---- renaming

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void aRenamedDirectoryLeavesNoGhostAndItsPartsCanBeRemovedOneByOne(Shape shape) throws Exception {
    Home home = new Home(shape);
    home.tree.mkdir(path("/src"));
    home.tree.mkdir(path("/src/sub"));
    home.tree.mkdir(path("/src/sub/empty"));
    home.putFile("src/sub/x.bin", 3);
    home.putFile("src/top.bin", 4);
    home.putFile("src/implied/y.bin", 5);

    home.tree.rename(path("/src"), path("/dst"));

    assertFails(() -> home.tree.stat(path("/src")), Reason.NOT_FOUND);
    assertFails(() -> home.tree.list(path("/src")), Reason.NOT_FOUND);
    assertThat(home.names("/")).containsExactly("dst/");
    assertThat(home.names("/dst")).containsExactly("implied/", "sub/", "top.bin");
    assertThat(home.names("/dst/sub")).containsExactly("empty/", "x.bin");
    assertThat(home.tree.stat(path("/dst/sub/x.bin")).size()).isEqualTo(3);

    // Taking the moved tree apart from the bottom: no step removes more than it names.
    home.tree.rmdir(path("/dst/sub/empty"));
    assertThat(home.names("/dst/sub")).containsExactly("x.bin");
    home.tree.delete(path("/dst/sub/x.bin"));
    assertThat(home.tree.stat(path("/dst/sub")).directory()).isTrue();
    home.tree.rmdir(path("/dst/sub"));
    home.tree.delete(path("/dst/implied/y.bin"));
    home.tree.rmdir(path("/dst/implied"));
    home.tree.delete(path("/dst/top.bin"));
    assertThat(home.tree.stat(path("/dst")).directory()).isTrue();
    home.tree.rmdir(path("/dst"));
    assertThat(home.names("/")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void anEmptyDirectoryRenamesAndTheOldNameIsFree(Shape shape) throws Exception {
    Home home = new Home(shape);
    home.tree.mkdir(path("/old"));

    home.tree.rename(path("/old"), path("/new"));

    assertThat(home.names("/")).containsExactly("new/");
    assertThat(home.names("/new")).isEmpty();
    home.tree.mkdir(path("/old"));
    assertThat(home.names("/")).containsExactly("new/", "old/");
  }

  // ---- helpers

  private S3ProxyFixture start(S3ProxyFixture server) {
    servers.add(server);
    return server;
  }

  private Shape shape(String name, S3ProxyFixture server, ExecutionInterceptor... dialect) {
    S3Settings settings = server.bucket("shapes", "");
    S3Client client =
        S3Clients.builder(settings)
            .overrideConfiguration(
                c -> {
                  for (ExecutionInterceptor i : dialect) {
                    c.addExecutionInterceptor(i);
                  }
                })
            .build();
    return new Shape(name, settings, client);
  }

  /** A fresh home of alice's on {@code shape}. */
  private final class Home {
    final Shape shape;
    final String key;
    final S3FileTree tree;

    Home(Shape shape) {
      this.shape = shape;
      S3Settings settings = shape.settings().withPrefix("run" + RUNS.incrementAndGet());
      this.key = settings.key("users/alice");
      ObjectTransfers objects = new ObjectTransfers(shape.s3(), settings);
      transfers.add(objects);
      this.tree =
          new S3FileTree(shape.s3(), settings, key, TestKeys.session("alice"), objects, requests);
    }

    void putFile(String rel, long plaintext) {
      byte[] body = new byte[(int) ObjectFormat.ciphertextSize(plaintext)];
      shape
          .s3()
          .putObject(
              b -> b.bucket(shape.settings().bucket()).key(key + "/" + rel).metadata(DZ_METADATA),
              RequestBody.fromBytes(body));
    }

    void putRaw(String rel) {
      shape
          .s3()
          .putObject(
              b -> b.bucket(shape.settings().bucket()).key(key + "/" + rel), RequestBody.empty());
    }

    List<FileInfo> entries(String dir) throws Exception {
      try (Stream<FileInfo> listing = tree.list(path(dir))) {
        return listing.collect(Collectors.toList());
      }
    }

    /** Entry names, directories with a trailing slash, sorted. */
    List<String> names(String dir) throws Exception {
      return entries(dir).stream().map(DirectoryShapesTest::label).sorted().toList();
    }

    List<String> keys() {
      return shape
          .s3()
          .listObjectsV2Paginator(b -> b.bucket(shape.settings().bucket()).prefix(key + "/"))
          .contents()
          .stream()
          .map(S3Object::key)
          .toList();
    }
  }

  private static String label(FileInfo entry) {
    return entry.name() + (entry.directory() ? "/" : "");
  }

  private static VirtualPath path(String p) {
    try {
      return VirtualPath.of(p);
    } catch (StoreException e) {
      throw new AssertionError(e);
    }
  }

  private static AbstractThrowableAssert<?, ?> assertFails(ThrowingCallable call, Reason reason) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
  }
}
