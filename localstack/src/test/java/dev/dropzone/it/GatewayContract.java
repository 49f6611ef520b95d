package dev.dropzone.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.gateway.ftp.FtpGateway;
import dev.dropzone.gateway.ftp.FtpSettings;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.s3.S3Clients;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What every backend must do, end to end: a real gateway in this JVM over the backend's S3 and key
 * service, driven by Commons Net, with the stored objects checked through the raw S3 API. A backend
 * joins by subclassing and providing {@link #openBackend()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GatewayContract {

  private static final int MIB = 1 << 20;

  private Backend backend;
  private EncryptedStore store;
  private ExecutorService blocking;
  private FtpGateway gateway;
  private S3Client raw;
  private FTPClient alice;

  /** Starts (or connects to) the backend; called once per test class. */
  abstract Backend openBackend() throws Exception;

  @BeforeAll
  void startGateway() throws Exception {
    backend = openBackend();
    store = EncryptedStore.open(backend.s3());
    raw = S3Clients.create(backend.s3());
    blocking = Executors.newFixedThreadPool(4);
    DataKeyCache cache = DataKeyCache.builder(backend.keyService()).build();
    UserKeys keys =
        UserKeys.builder(backend.keyService(), cache, store.keyRecords(), blocking).build();
    gateway = FtpGateway.start(ftpSettings(), store, keys, new ContractUsers());
  }

  @AfterAll
  void stopGateway() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (store != null) {
      store.close();
    }
    if (raw != null) {
      raw.close();
    }
    if (blocking != null) {
      blocking.shutdownNow();
    }
    if (backend != null) {
      backend.resources().close();
    }
  }

  @BeforeEach
  void connect() throws IOException {
    alice = login("alice");
  }

  @AfterEach
  void disconnect() throws IOException {
    alice.disconnect();
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 3 * MIB, 12 * MIB})
  void uploadThenDownloadKeepsEveryByte(int size) throws IOException {
    byte[] content = Payload.random(size, size);
    String name = "size-" + size + ".bin";

    store(alice, name, content);

    assertThat(Payload.sha256(retrieve(alice, name))).isEqualTo(Payload.sha256(content));
    assertThat(alice.mlistFile(name).getSize()).isEqualTo(size);
  }

  @Test
  void restartedDownloadSendsTheRestFromTheOffset() throws IOException {
    byte[] content = Payload.random(7, 3 * MIB + 123);
    store(alice, "resume-down.bin", content);
    int offset = 2 * MIB + 17;

    alice.setRestartOffset(offset);
    byte[] rest = retrieve(alice, "resume-down.bin");

    assertThat(rest).isEqualTo(Arrays.copyOfRange(content, offset, content.length));
  }

  @Test
  void appendResumesAnUploadAcrossTheMultipartBoundary() throws IOException {
    byte[] first = Payload.random(8, 5 * MIB + 1);
    byte[] second = Payload.random(9, 4 * MIB);
    store(alice, "resume-up.bin", first);

    assertThat(alice.appendFile("resume-up.bin", new ByteArrayInputStream(second)))
        .as(alice.getReplyString())
        .isTrue();

    byte[] whole = Payload.concat(first, second);
    assertThat(Payload.sha256(retrieve(alice, "resume-up.bin"))).isEqualTo(Payload.sha256(whole));
    assertThat(pendingUploads()).isEmpty();
  }

  @Test
  void listingsShowPlaintextSizesAndDirectories() throws IOException {
    assertThat(alice.makeDirectory("listed")).as(alice.getReplyString()).isTrue();
    store(alice, "listed/a.txt", Payload.random(10, 1000));
    assertThat(alice.makeDirectory("listed/sub")).isTrue();

    FTPFile[] mlsd = alice.mlistDir("listed");
    FTPFile[] list = alice.listFiles("listed");

    assertThat(mlsd)
        .extracting(FTPFile::getName, FTPFile::getSize, FTPFile::isDirectory)
        .contains(
            org.assertj.core.groups.Tuple.tuple("a.txt", 1000L, false),
            org.assertj.core.groups.Tuple.tuple("sub", 0L, true));
    assertThat(list).extracting(FTPFile::getName).containsExactlyInAnyOrder("a.txt", "sub");
    assertThat(Arrays.stream(list).filter(FTPFile::isFile).findFirst().orElseThrow().getSize())
        .isEqualTo(1000L);
  }

  @Test
  void renameMovesTheFileAndItStillDecrypts() throws IOException {
    byte[] content = Payload.random(11, MIB);
    store(alice, "before.bin", content);

    assertThat(alice.rename("before.bin", "after.bin")).as(alice.getReplyString()).isTrue();

    assertThat(retrieve(alice, "after.bin")).isEqualTo(content);
    assertThat(alice.listNames()).contains("after.bin").doesNotContain("before.bin");
    assertThat(objectKeys()).noneMatch(k -> k.endsWith("/before.bin"));
  }

  @Test
  void deleteRemovesTheObject() throws IOException {
    store(alice, "doomed.bin", Payload.random(12, 100));

    assertThat(alice.deleteFile("doomed.bin")).as(alice.getReplyString()).isTrue();

    assertThat(alice.listNames()).doesNotContain("doomed.bin");
    assertThat(objectKeys()).noneMatch(k -> k.endsWith("/doomed.bin"));
    assertThat(alice.retrieveFile("doomed.bin", OutputStream.nullOutputStream())).isFalse();
    assertThat(alice.getReplyCode()).isEqualTo(550);
  }

  @Test
  void directoriesAreMadeRefusedWhileFullAndRemovedWhenEmpty() throws IOException {
    assertThat(alice.makeDirectory("dir")).as(alice.getReplyString()).isTrue();
    assertThat(alice.changeWorkingDirectory("dir")).isTrue();
    store(alice, "inside.bin", Payload.random(13, 10));
    assertThat(alice.changeToParentDirectory()).isTrue();

    assertThat(alice.removeDirectory("dir")).isFalse();
    assertThat(alice.getReplyCode()).isEqualTo(550);

    assertThat(alice.deleteFile("dir/inside.bin")).isTrue();
    assertThat(alice.removeDirectory("dir")).as(alice.getReplyString()).isTrue();
    assertThat(alice.listNames()).doesNotContain("dir");
    assertThat(objectKeys()).noneMatch(k -> k.contains("/users/alice/dir/"));
  }

  @Test
  void storedObjectsAreCiphertextWithDropzoneMetadata() throws IOException {
    byte[] content = Payload.marked(3 * MIB);
    store(alice, "plain.txt", content);
    String key = backend.s3().key("users/alice/plain.txt");

    byte[] stored = raw.getObjectAsBytes(b -> b.bucket(bucket()).key(key)).asByteArray();
    HeadObjectResponse head = raw.headObject(b -> b.bucket(bucket()).key(key));

    assertThat(Payload.contains(stored, Payload.MARKER)).isFalse();
    assertThat(stored.length).isGreaterThan(content.length);
    Map<String, String> metadata = head.metadata();
    assertThat(metadata)
        .containsEntry("dz-format", "2")
        .containsEntry("dz-alg", "AES256_GCM_HKDF_1MB")
        .containsEntry("dz-user", "alice")
        .containsEntry("dz-domain", "users/alice")
        .containsKeys("dz-key", "dz-key-ref", "dz-epoch", "dz-hdr", "dz-mtime", "dz-mac");
    assertThat(metadata.get("dz-key-ref")).startsWith(backend.provider() + ":");
    assertThat(metadata.get("dz-key")).isNotBlank();
    assertThat(metadata.toString()).doesNotContain(new String(Payload.MARKER, 0, 10));
  }

  @Test
  void anUploadWhoseDataConnectionIsCutLeavesNothing() throws IOException {
    CuttingClient client = new CuttingClient();
    client.connect("127.0.0.1", gateway.port());
    try {
      assertThat(client.login("alice", ContractUsers.PASSWORD)).isTrue();
      client.enterLocalPassiveMode();
      client.setFileType(FTP.BINARY_FILE_TYPE);
      Socket data = client.beginStore("cut.bin");
      OutputStream out = data.getOutputStream();
      out.write(Payload.random(14, 10 * MIB));
      out.flush();

      CuttingClient.cut(data);

      assertThat(client.completePendingCommand()).isFalse();
      assertThat(client.getReplyCode()).isEqualTo(426);
    } finally {
      client.disconnect();
    }
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> gateway.runningTransfers() == 0);
    assertThat(objectKeys()).noneMatch(k -> k.endsWith("/cut.bin"));
    assertThat(pendingUploads()).isEmpty();
  }

  @Test
  void usersSeeOnlyTheirOwnFilesUnderTheirOwnKeys() throws IOException {
    byte[] secret = Payload.random(15, 4096);
    store(alice, "secret.bin", secret);
    FTPClient bob = login("bob");
    try {
      store(bob, "own.bin", Payload.random(16, 10));

      assertThat(bob.listNames()).contains("own.bin").doesNotContain("secret.bin");
      assertThat(bob.retrieveFile("secret.bin", OutputStream.nullOutputStream())).isFalse();
      assertThat(bob.retrieveFile("../alice/secret.bin", OutputStream.nullOutputStream()))
          .isFalse();
      assertThat(bob.retrieveFile("/../../users/alice/secret.bin", OutputStream.nullOutputStream()))
          .isFalse();
    } finally {
      bob.disconnect();
    }
    String aliceKey = head("users/alice/secret.bin").metadata().get("dz-key");
    String bobKey = head("users/bob/own.bin").metadata().get("dz-key");
    assertThat(aliceKey).isNotEqualTo(bobKey);
    assertThat(retrieve(alice, "secret.bin")).isEqualTo(secret);
  }

  private FtpSettings ftpSettings() {
    return new FtpSettings(
        "127.0.0.1",
        0,
        "0",
        null,
        false,
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        50,
        20,
        1000,
        Duration.ofMinutes(1),
        Duration.ofMillis(10),
        16,
        4096,
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        null,
        FtpSettings.Transfers.defaults());
  }

  private FTPClient login(String user) throws IOException {
    FTPClient client = new FTPClient();
    client.setControlEncoding("UTF-8");
    client.connect("127.0.0.1", gateway.port());
    assertThat(client.login(user, ContractUsers.PASSWORD)).as(client.getReplyString()).isTrue();
    client.enterLocalPassiveMode();
    assertThat(client.setFileType(FTP.BINARY_FILE_TYPE)).isTrue();
    return client;
  }

  private static void store(FTPClient client, String name, byte[] content) throws IOException {
    assertThat(client.storeFile(name, new ByteArrayInputStream(content)))
        .as(client.getReplyString())
        .isTrue();
  }

  private static byte[] retrieve(FTPClient client, String name) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(client.retrieveFile(name, out)).as(client.getReplyString()).isTrue();
    return out.toByteArray();
  }

  private String bucket() {
    return backend.s3().bucket();
  }

  private HeadObjectResponse head(String path) {
    return raw.headObject(b -> b.bucket(bucket()).key(backend.s3().key(path)));
  }

  private List<String> objectKeys() {
    return raw
        .listObjectsV2Paginator(b -> b.bucket(bucket()).prefix(backend.s3().key("")))
        .contents()
        .stream()
        .map(S3Object::key)
        .toList();
  }

  private List<?> pendingUploads() {
    return raw.listMultipartUploads(b -> b.bucket(bucket()).prefix(backend.s3().key(""))).uploads();
  }
}
