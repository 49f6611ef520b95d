package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.store.testing.S3RequestCounter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * What a file costs in S3 requests, counted in the store's own S3 client: a small new file one
 * PutObject, a download one GetObject, a listing of files this gateway wrote (or set the time of)
 * its ListObjectsV2 pages and nothing per file. Scanners and batch jobs send many small files one
 * after another; every request saved here is a round trip saved per file.
 */
class RequestsPerFileTest {

  private static final int SMALL = 64 << 10;
  private static final S3RequestCounter COUNTER = new S3RequestCounter();
  private static GatewayUnderTest gateway;

  private FTPClient alice;

  @BeforeAll
  static void start() throws Exception {
    gateway = GatewayUnderTest.counting(COUNTER);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @BeforeEach
  void login() throws IOException {
    alice = gateway.login("alice");
  }

  @AfterEach
  void logout() throws IOException {
    alice.logout();
    alice.disconnect();
  }

  @Test
  void aSmallNewFileIsOnePutObjectAndItsDownloadOneGetObject() throws Exception {
    assertThat(alice.makeDirectory("/batch")).isTrue();
    for (int i = 0; i < 3; i++) {
      COUNTER.reset();
      store("/batch/f" + i + ".bin", Content.bytes(i, SMALL));
      assertThat(COUNTER.counts()).as("STOR of file %d", i).isEqualTo(Map.of("PutObject", 1));
    }

    for (int i = 0; i < 3; i++) {
      COUNTER.reset();
      assertThat(retrieve("/batch/f" + i + ".bin")).isEqualTo(Content.bytes(i, SMALL));
      assertThat(COUNTER.counts()).as("RETR of file %d", i).isEqualTo(Map.of("GetObject", 1));
    }
  }

  @Test
  void changingIntoAFileOrANameThatIsNotThereCostsAWriteOnlyUserTheSameRequests() throws Exception {
    FTPClient dropbox = gateway.login("dropbox");
    try {
      assertThat(dropbox.storeFile("dropped.bin", new ByteArrayInputStream(Content.bytes(5, 10))))
          .isTrue();
      List<Map<String, Integer>> costs = new ArrayList<>();
      List<String> replies = new ArrayList<>();
      for (String name : List.of("dropped.bin", "missing.bin")) {
        COUNTER.reset();
        assertThat(dropbox.changeWorkingDirectory(name)).isFalse();
        costs.add(COUNTER.counts());
        replies.add(dropbox.getReplyString().replace(name, "NAME"));
      }
      // Their timing would tell them apart otherwise: a HEAD that finds the file answers sooner.
      assertThat(costs.get(0)).isEqualTo(costs.get(1));
      assertThat(replies.get(0)).isEqualTo(replies.get(1));
    } finally {
      dropbox.disconnect();
    }
  }

  @Test
  void settingTheTimeOfAFileJustStoredCostsOneCopyObject() throws Exception {
    assertThat(alice.makeDirectory("/timed")).isTrue();
    store("/timed/a.bin", Content.bytes(4, SMALL));

    COUNTER.reset();
    assertThat(alice.sendCommand("MFMT 20200102030405 /timed/a.bin")).isEqualTo(213);
    assertThat(COUNTER.counts()).isEqualTo(Map.of("CopyObject", 1));

    assertThat(alice.sendCommand("MDTM /timed/a.bin")).isEqualTo(213);
    assertThat(alice.getReplyString()).contains("20200102030405");
  }

  @Test
  void uploadsIntoADirectoryAnotherToolMadeListItOnceThenCostOnePutObject() throws Exception {
    gateway
        .rawClient()
        .putObject(
            b -> b.bucket(GatewayUnderTest.BUCKET).key(GatewayUnderTest.key("alice", "made/")),
            RequestBody.empty());

    COUNTER.reset();
    store("/made/first.bin", Content.bytes(1, SMALL));
    // The directory's first page, and a HEAD for a marker at the name beside it.
    assertThat(COUNTER.counts())
        .isEqualTo(Map.of("ListObjectsV2", 1, "HeadObject", 1, "PutObject", 1));

    COUNTER.reset();
    store("/made/second.bin", Content.bytes(2, SMALL));
    assertThat(COUNTER.counts()).isEqualTo(Map.of("PutObject", 1));
  }

  @Test
  void aListingAnswersTheChecksOfTheUploadsAfterIt() throws Exception {
    gateway
        .rawClient()
        .putObject(
            b -> b.bucket(GatewayUnderTest.BUCKET).key(GatewayUnderTest.key("alice", "seen/")),
            RequestBody.empty());
    assertThat(alice.listNames("/seen")).isEmpty();

    COUNTER.reset();
    store("/seen/new.bin", Content.bytes(3, SMALL));
    assertThat(COUNTER.counts()).isEqualTo(Map.of("PutObject", 1));
  }

  @Test
  void listingFilesThisGatewayWroteCostsOneListObjectsV2PerPageAndNothingPerFile()
      throws Exception {
    assertThat(alice.makeDirectory("/listed")).isTrue();
    for (int i = 0; i < 5; i++) {
      store("/listed/f" + i + ".bin", Content.bytes(i, 100));
    }
    assertThat(alice.sendCommand("MFMT 20200102030405 /listed/f0.bin")).isEqualTo(213);

    COUNTER.reset();
    FTPFile[] listed = alice.listFiles("/listed");
    assertThat(COUNTER.counts()).as("LIST").isEqualTo(Map.of("ListObjectsV2", 1));
    assertThat(listed).hasSize(5);

    COUNTER.reset();
    FTPFile[] facts = alice.mlistDir("/listed");
    assertThat(COUNTER.counts()).as("MLSD").isEqualTo(Map.of("ListObjectsV2", 1));
    assertThat(
            Arrays.stream(facts)
                .filter(f -> f.getName().equals("f0.bin"))
                .findFirst()
                .orElseThrow()
                .getTimestamp()
                .toInstant())
        .hasToString("2020-01-02T03:04:05Z");

    COUNTER.reset();
    assertThat(alice.listNames("/listed")).hasSize(5);
    assertThat(COUNTER.counts()).as("NLST").isEqualTo(Map.of("ListObjectsV2", 1));
  }

  @Test
  void namesAloneCostTheListingPagesEvenForFilesOthersWrote() throws Exception {
    for (String name : new String[] {"others/a.bin", "others/b.bin", "others/sub/c.bin"}) {
      gateway
          .rawClient()
          .putObject(
              b -> b.bucket(GatewayUnderTest.BUCKET).key(GatewayUnderTest.key("alice", name)),
              RequestBody.fromBytes(new byte[100]));
    }

    COUNTER.reset();
    assertThat(alice.listNames("/others")).containsExactlyInAnyOrder("a.bin", "b.bin", "sub");
    assertThat(COUNTER.counts()).isEqualTo(Map.of("ListObjectsV2", 1));
  }

  private void store(String path, byte[] content) throws IOException {
    assertThat(alice.storeFile(path, new ByteArrayInputStream(content)))
        .as(alice.getReplyString())
        .isTrue();
  }

  private byte[] retrieve(String path) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(alice.retrieveFile(path, out)).as(alice.getReplyString()).isTrue();
    return out.toByteArray();
  }
}
