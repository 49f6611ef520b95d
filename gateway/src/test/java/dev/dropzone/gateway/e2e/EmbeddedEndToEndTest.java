package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.embedded.EmbeddedStack;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The embedded stack (S3Proxy on disk, local key service, FTP) driven by real curl and lftp
 * processes, as a user of the README would drive it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedEndToEndTest {

  private static final String ALICE_PASSWORD = "alice-e2e-password";
  private static final String BOB_PASSWORD = "bob-e2e-password";

  private Path dataDir;
  private Path aliceDir;
  private Path bobDir;

  private EmbeddedStack stack;
  private FtpUser alice;
  private FtpUser bob;

  @BeforeAll
  void start(@TempDir Path root) throws Exception {
    ClientProcess.requireInstalled("curl", "lftp");
    dataDir = root.resolve("data");
    aliceDir = Files.createDirectories(root.resolve("alice"));
    bobDir = Files.createDirectories(root.resolve("bob"));
    Map<String, char[]> users = new LinkedHashMap<>();
    users.put("alice", ALICE_PASSWORD.toCharArray());
    users.put("bob", BOB_PASSWORD.toCharArray());
    stack =
        EmbeddedStack.start(new EmbeddedStack.Options(dataDir, "127.0.0.1", 0, "0", 0, 0, users));
    alice = new FtpUser("alice", ALICE_PASSWORD, stack.ftpPort(), aliceDir);
    bob = new FtpUser("bob", BOB_PASSWORD, stack.ftpPort(), bobDir);
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @ParameterizedTest(name = "{0} bytes through curl")
  @ValueSource(ints = {0, 1, 3 << 20, 40 << 20})
  void curlUploadAndDownloadKeepTheBytes(int size) throws Exception {
    Path original = randomFile(aliceDir, "curl-" + size + ".bin", size);
    alice.curl("-T", original.toString(), alice.url("/curl-" + size + ".bin")).assertOk("upload");

    Path back = aliceDir.resolve("curl-" + size + ".back");
    alice.curl("-o", back.toString(), alice.url("/curl-" + size + ".bin")).assertOk("download");

    assertThat(sha256(back)).isEqualTo(sha256(original));
  }

  @ParameterizedTest(name = "{0} bytes through lftp")
  @ValueSource(ints = {0, 1, 3 << 20})
  void lftpPutAndGetKeepTheBytes(int size) throws Exception {
    Path original = randomFile(aliceDir, "lftp-" + size + ".bin", size);
    Path back = aliceDir.resolve("lftp-" + size + ".back");

    alice
        .lftp(
            "put " + original + " -o /lftp-" + size + ".bin; get /lftp-" + size + ".bin -o " + back)
        .assertOk("lftp put/get");

    assertThat(sha256(back)).isEqualTo(sha256(original));
  }

  /**
   * lftp (GnuTLS) over FTPS on TLS 1.3 with protected data connections, each resuming the control
   * connection's TLS session as the gateway requires: upload, download and a listing keep the
   * bytes.
   */
  @ParameterizedTest(name = "{0} bytes through lftp over FTPS, TLS 1.3, PROT P")
  @ValueSource(ints = {0, 1, 3 << 20, 40 << 20})
  void lftpOverTls13KeepsTheBytes(int size) throws Exception {
    lftpOverTls("NORMAL:-VERS-ALL:+VERS-TLS1.3", "tls13-" + size + ".bin", size);
  }

  /** Embedded mode serves the admin endpoint on loopback and prints where. */
  @Test
  void theAdminEndpointIsOnAndItsUrlIsPrinted() throws Exception {
    String url = "http://127.0.0.1:" + stack.adminPort() + "/";
    assertThat(stack.endpointLines()).contains("Admin: " + url + " (metrics, healthz, readyz)");

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> ready =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "readyz")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(ready.body()).contains("\"failed\":[]");
  }

  @Test
  void lftpOverTls12KeepsTheBytes() throws Exception {
    lftpOverTls("NORMAL:-VERS-ALL:+VERS-TLS1.2", "tls12.bin", 3 << 20);
  }

  private void lftpOverTls(String priority, String name, int size) throws Exception {
    Path original = randomFile(aliceDir, name, size);
    Path back = aliceDir.resolve(name + ".back");

    ClientProcess.Result result =
        alice
            .lftpTls(
                stack.certificate().certificate(),
                priority,
                "put " + original + " -o /" + name + "; get /" + name + " -o " + back + "; cls -1")
            .assertOk("lftp over FTPS");

    assertThat(sha256(back)).isEqualTo(sha256(original));
    assertThat(result.output()).contains(name);
  }

  @ParameterizedTest(name = "{0} bytes through curl --ssl-reqd, explicit and implicit FTPS")
  @ValueSource(ints = {0, 3 << 20})
  void curlOverFtpsKeepsTheBytes(int size) throws Exception {
    Path certificate = stack.certificate().certificate();
    Path original = randomFile(aliceDir, "ftps-" + size + ".bin", size);
    alice
        .curlTls(certificate, "-T", original.toString(), alice.url("/ftps-" + size + ".bin"))
        .assertOk("upload over explicit FTPS");

    Path back = aliceDir.resolve("ftps-" + size + ".back");
    String implicit = "ftps://127.0.0.1:" + stack.ftpsPort() + "/ftps-" + size + ".bin";
    alice.curlTls(certificate, "-o", back.toString(), implicit).assertOk("implicit download");

    assertThat(sha256(back)).isEqualTo(sha256(original));
  }

  @Test
  void curlWithoutTheCertificateRefusesTheSelfSignedOne() throws Exception {
    ClientProcess.Result refused = alice.curl("--ssl-reqd", "--list-only", alice.url("/"));
    assertThat(refused.exitCode()).as(refused.output()).isNotZero();
    assertThat(refused.output()).containsIgnoringCase("certificate");
  }

  @Test
  void curlResumesAnInterruptedDownload() throws Exception {
    Path original = randomFile(aliceDir, "resume-down.bin", 3 << 20);
    alice.curl("-T", original.toString(), alice.url("/resume-down.bin")).assertOk("upload");
    // What an interrupted download leaves behind: a prefix that ends inside a cipher segment.
    Path partial = aliceDir.resolve("resume-down.part");
    Files.write(partial, Arrays.copyOf(Files.readAllBytes(original), 1_500_000));

    alice
        .curl("-C", "-", "-o", partial.toString(), alice.url("/resume-down.bin"))
        .assertOk("resume");

    assertThat(sha256(partial)).isEqualTo(sha256(original));
  }

  @Test
  void curlAppendResumesAnUpload() throws Exception {
    Path original = randomFile(aliceDir, "append.bin", (3 << 20) + 12345);
    byte[] bytes = Files.readAllBytes(original);
    Path head = aliceDir.resolve("append.head");
    Path tail = aliceDir.resolve("append.tail");
    Files.write(head, Arrays.copyOfRange(bytes, 0, 2_000_000));
    Files.write(tail, Arrays.copyOfRange(bytes, 2_000_000, bytes.length));

    alice.curl("-T", head.toString(), alice.url("/append.bin")).assertOk("first part");
    alice.curl("--append", "-T", tail.toString(), alice.url("/append.bin")).assertOk("APPE");

    Path back = aliceDir.resolve("append.back");
    alice.curl("-o", back.toString(), alice.url("/append.bin")).assertOk("download");
    assertThat(sha256(back)).isEqualTo(sha256(original));
  }

  @Test
  void lftpContinuesAnUploadWithRestAndStor() throws Exception {
    Path original = randomFile(aliceDir, "continue.bin", (3 << 20) + 777);
    Path head = aliceDir.resolve("continue.head");
    Files.write(head, Arrays.copyOf(Files.readAllBytes(original), 1_234_567));
    alice.curl("-T", head.toString(), alice.url("/continue.bin")).assertOk("first part");

    alice.lftp("put -c " + original + " -o /continue.bin").assertOk("put -c");

    Path back = aliceDir.resolve("continue.back");
    alice.curl("-o", back.toString(), alice.url("/continue.bin")).assertOk("download");
    assertThat(sha256(back)).isEqualTo(sha256(original));
  }

  @Test
  void listingsShowNamesAndPlaintextSizes() throws Exception {
    Path file = randomFile(aliceDir, "listed.bin", 4321);
    alice
        .curl("--ftp-create-dirs", "-T", file.toString(), alice.url("/listing/listed.bin"))
        .assertOk("upload");
    alice.lftp("mkdir /listing/sub").assertOk("mkdir");

    String list = alice.curl(alice.url("/listing/")).assertOk("LIST").output();
    assertThat(list).contains("listed.bin").contains("4321").contains("sub");

    String mlsd = alice.curl("-X", "MLSD", alice.url("/listing/")).assertOk("MLSD").output();
    assertThat(mlsd.toLowerCase())
        .contains("type=file")
        .contains("size=4321")
        .contains("listed.bin");
    assertThat(mlsd.toLowerCase()).contains("type=dir").contains("sub");

    String cls = alice.lftp("cls -l /listing/").assertOk("lftp cls").output();
    assertThat(cls).contains("listed.bin").contains("4321");
  }

  @Test
  void renameDeleteMkdirAndRmdir() throws Exception {
    Path file = randomFile(aliceDir, "moveme.bin", 1000);
    alice.curl("-T", file.toString(), alice.url("/moveme.bin")).assertOk("upload");

    alice.lftp("mv /moveme.bin /moved.bin").assertOk("rename");
    assertThat(alice.curl("-l", alice.url("/")).assertOk("NLST").output())
        .contains("moved.bin")
        .doesNotContain("moveme.bin");
    Path back = aliceDir.resolve("moved.back");
    alice.curl("-o", back.toString(), alice.url("/moved.bin")).assertOk("download renamed");
    assertThat(sha256(back)).isEqualTo(sha256(file));

    alice
        .curl("-Q", "RNFR moved.bin", "-Q", "RNTO moved-again.bin", alice.url("/"))
        .assertOk("curl rename");
    alice.lftp("rm /moved-again.bin").assertOk("delete");
    assertThat(alice.curl("-l", alice.url("/")).assertOk("NLST").output()).doesNotContain("moved");
    assertThat(alice.curl("-o", back.toString(), alice.url("/moved-again.bin")).exitCode())
        .as("download of a deleted file")
        .isNotZero();

    alice.lftp("mkdir /emptydir").assertOk("mkdir");
    assertThat(alice.curl("-l", alice.url("/")).output()).contains("emptydir");
    alice.lftp("rmdir /emptydir").assertOk("rmdir");
    assertThat(alice.curl("-l", alice.url("/")).output()).doesNotContain("emptydir");
  }

  /**
   * The embedded S3 server keeps objects as files, whose names the file system limits: names up to
   * the embedded limit work for directories, one-part and multipart files and rename targets, and a
   * longer one gets a 553 that says why, not a 451 "try again later" after S3 retries.
   */
  @Test
  void namesUpToTheEmbeddedLimitWorkAndLongerOnesAreRefusedWithTheReason() throws Exception {
    int limit = EmbeddedStack.EMBEDDED_MAX_NAME_BYTES;
    String dir = "d".repeat(limit);
    String small = "s".repeat(limit);
    String large = "l".repeat(limit);
    String renamed = "r".repeat(limit);
    Path smallFile = randomFile(aliceDir, "long-name-small.bin", 1000);
    Path largeFile = randomFile(aliceDir, "long-name-large.bin", 20 << 20);
    alice
        .lftp(
            "mkdir /" + dir + "; put " + smallFile + " -o /" + dir + "/" + small + "; put "
                + largeFile + " -o /" + dir + "/" + large + "; mv /" + dir + "/" + large + " /"
                + dir + "/" + renamed)
        .assertOk("long names");
    Path smallBack = aliceDir.resolve("long-name-small.back");
    Path largeBack = aliceDir.resolve("long-name-large.back");
    alice
        .lftp(
            "get /" + dir + "/" + small + " -o " + smallBack + "; get /" + dir + "/" + renamed
                + " -o " + largeBack)
        .assertOk("long names back");
    assertThat(sha256(smallBack)).isEqualTo(sha256(smallFile));
    assertThat(sha256(largeBack)).isEqualTo(sha256(largeFile));

    String over = "o".repeat(limit + 1);
    ClientProcess.Result refused = alice.lftp("put " + smallFile + " -o /" + over);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output())
        .contains(
            "553 Invalid file name: '"
                + "o".repeat(40)
                + "…' is 201 bytes long; names may have at most 200 bytes here");
    assertThat(alice.curl("-l", alice.url("/")).assertOk("NLST").output()).doesNotContain(over);
  }

  @Test
  void usersCannotSeeEachOthersFiles() throws Exception {
    Path secret = aliceDir.resolve("alice-only.txt");
    Files.writeString(secret, "for alice's eyes only");
    alice.curl("-T", secret.toString(), alice.url("/alice-only.txt")).assertOk("upload");

    assertThat(bob.curl("-l", bob.url("/")).assertOk("bob's NLST").output())
        .doesNotContain("alice-only.txt");
    assertThat(
            bob.curl("-o", bobDir.resolve("x").toString(), bob.url("/alice-only.txt")).exitCode())
        .isNotZero();
    assertThat(
            bob.curl("-o", bobDir.resolve("y").toString(), bob.url("/../alice/alice-only.txt"))
                .exitCode())
        .isNotZero();
    assertThat(bob.lftp("cd /; cd ..; cls").output()).doesNotContain("alice");
  }

  @Test
  void storedObjectsHoldNoPlaintext() throws Exception {
    String marker = "PLAINTEXT-MARKER-0123456789-";
    Path file = aliceDir.resolve("marker.txt");
    Files.writeString(file, marker.repeat(50_000));
    alice.curl("-T", file.toString(), alice.url("/marker.txt")).assertOk("upload");

    S3Settings settings =
        S3Settings.of(
            stack.s3Endpoint(),
            EmbeddedStack.REGION,
            stack.s3Credentials().accessKey(),
            stack.s3Credentials().secretKey(),
            EmbeddedStack.BUCKET,
            "");
    try (S3Client s3 = S3Clients.create(settings)) {
      ResponseBytes<GetObjectResponse> raw =
          s3.getObjectAsBytes(b -> b.bucket(EmbeddedStack.BUCKET).key("users/alice/marker.txt"));
      assertThat(raw.response().metadata())
          .containsEntry(ObjectFormat.META_FORMAT, ObjectFormat.VERSION_2)
          .containsEntry(ObjectFormat.META_USER, "alice");
      assertThat(raw.asByteArray().length).isEqualTo(ObjectFormat.ciphertextSize(Files.size(file)));
      assertThat(new String(raw.asByteArray(), StandardCharsets.ISO_8859_1))
          .doesNotContain("PLAINTEXT-MARKER");
    }
    // The S3 server's files on disk are the same ciphertext.
    try (var files = Files.walk(dataDir.resolve("s3"))) {
      for (Path stored : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(stored), StandardCharsets.ISO_8859_1))
            .as(stored.toString())
            .doesNotContain("PLAINTEXT-MARKER");
      }
    }
  }

  static Path randomFile(Path dir, String name, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size * 31L + name.hashCode()).nextBytes(bytes);
    return Files.write(dir.resolve(name), bytes);
  }

  static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
