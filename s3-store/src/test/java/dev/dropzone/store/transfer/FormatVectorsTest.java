package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.s3.S3KeyRecords;
import dev.dropzone.store.testing.FixedKeys;
import dev.dropzone.store.testing.IndependentReader;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The test vectors of docs/FORMAT.md: this version of Dropzone reads them (so the format has not
 * drifted from its description), and so does the independent reader written from the description
 * alone ({@code read_vectors.py}, Python with the {@code cryptography} package, no Dropzone code).
 */
class FormatVectorsTest {

  private static final Path VECTORS = IndependentReader.VECTORS;

  private static S3ProxyFixture server;
  private static S3Settings settings;
  private static S3Client s3;
  private static ObjectTransfers transfers;
  private static FixedKeys keys;
  private static JsonNode vectors;

  @TempDir Path scratch;

  @BeforeAll
  static void loadVectors() throws Exception {
    vectors = new ObjectMapper().readTree(VECTORS.resolve("vectors.json").toFile());
    keys = FixedKeys.counting();
    assertThat(vectors.get("dataKey").asText()).isEqualTo(HexFormat.of().formatHex(keys.raw()));
    server = S3ProxyFixture.inMemory();
    settings = server.bucket("vectors", "dz");
    s3 = S3Clients.create(settings);
    transfers = new ObjectTransfers(s3, settings);
    for (JsonNode vector : vectors.get("objects")) {
      put(vector.get("domain").asText() + "/" + vector.get("path").asText(), vector);
      if (vector.has("digestRecord")) {
        String name = vector.get("digestRecord").asText();
        s3.putObject(
            b -> b.bucket(settings.bucket()).key(settings.key(".dropzone/digests/" + name)),
            RequestBody.fromFile(VECTORS.resolve(name)));
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    transfers.close();
    s3.close();
    server.close();
  }

  @Test
  void thisVersionReadsEveryVectorAndItsDigest() throws Exception {
    List<String> checked = new ArrayList<>();
    for (JsonNode vector : vectors.get("objects")) {
      String path = vector.get("path").asText();
      SessionKeys session = session("alice", vector.get("domain").asText());
      String key = key(vector.get("domain").asText() + "/" + path);
      byte[] plaintext;
      try (InputStream in = transfers.openRead(key, path, session, 0)) {
        plaintext = in.readAllBytes();
      }
      assertThat(plaintext).hasSize(vector.get("plaintextSize").asInt());
      assertThat(hex(sha256(plaintext))).isEqualTo(vector.get("plaintextSha256").asText());
      if (vector.get("format").asText().equals("2")) {
        assertThat(transfers.digest(key, path, session)).contains(sha256(plaintext));
      }
      checked.add(path);
    }
    assertThat(checked).containsExactly("empty", "hello.txt", "two-segments.bin", "v1.txt");
  }

  @Test
  void theVectorsAreRefusedInAnotherHomeAndAtAnotherPath() throws Exception {
    JsonNode hello = vectors.get("objects").get(1);
    put("users/bob/hello.txt", hello);
    put("users/alice/renamed.txt", hello);

    assertThatThrownBy(
            () ->
                transfers.openRead(
                    key("users/bob/hello.txt"), "hello.txt", session("bob", "users/bob"), 0))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY));
    assertThatThrownBy(
            () ->
                transfers.openRead(
                    key("users/alice/renamed.txt"),
                    "renamed.txt",
                    session("alice", "users/alice"),
                    0))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
        .hasMessageContaining("does not match its name");
  }

  @Test
  void theKeyRecordVectorVerifies() throws Exception {
    s3.putObject(
        b -> b.bucket(settings.bucket()).key(settings.key(".dropzone/keys/alice.json")),
        RequestBody.fromFile(VECTORS.resolve("alice.json")));

    KeyRecord record = new S3KeyRecords(s3, settings).read("alice").orElseThrow();

    assertThat(record.isV2()).isTrue();
    assertThat(keys.key().hasRecord(record.fields(), record.macBytes())).isTrue();
  }

  @Test
  void theIndependentReaderVerifiesAndDecryptsEveryVector() throws Exception {
    IndependentReader.assumeAvailable();
    IndependentReader.Run run = IndependentReader.run(VECTORS);

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("empty: tag, header, 1 segment(s), 0 plaintext bytes, digest OK")
        .contains("two-segments.bin: tag, header, 2 segment(s), 1048620 plaintext bytes, digest OK")
        .contains("v1.txt: format 1, 1 segment(s)")
        .contains("alice.json: key record MAC OK")
        .doesNotContain("FAILED");
  }

  @Test
  void theIndependentReaderRefusesAVectorFiledUnderAnotherPath() throws Exception {
    IndependentReader.assumeAvailable();
    try (Stream<Path> files = Files.list(VECTORS)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, scratch.resolve(file.getFileName()));
      }
    }
    ObjectNode edited =
        (ObjectNode) new ObjectMapper().readTree(scratch.resolve("vectors.json").toFile());
    ((ObjectNode) edited.get("objects").get(1)).put("path", "other.txt");
    new ObjectMapper().writeValue(scratch.resolve("vectors.json").toFile(), edited);

    IndependentReader.Run run = IndependentReader.run(scratch);

    assertThat(run.exit()).as(run.output()).isOne();
    assertThat(run.output()).contains("FAILED hello.txt: identity tag does not verify");
  }

  private static void put(String rel, JsonNode vector) throws IOException {
    Map<String, String> metadata =
        new ObjectMapper().convertValue(vector.get("metadata"), Map.class);
    s3.putObject(
        b -> b.bucket(settings.bucket()).key(settings.key(rel)).metadata(metadata),
        RequestBody.fromFile(VECTORS.resolve(vector.get("body").asText())));
  }

  private static String key(String rel) {
    return settings.key(rel);
  }

  private static SessionKeys session(String user, String domain) {
    return new SessionKeys(new KeyOwner(user, domain), keys);
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
