package dev.dropzone.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Key records stored as JSON in a real S3 server (S3Proxy on 127.0.0.1). */
class S3KeyRecordsTest {

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final KeyRecord ALICE =
      new KeyRecord(
          "alice",
          new WrappedKey("local:1234", "AAECAwQFBgcICQ=="),
          Instant.parse("2026-01-02T03:04:05.123456Z"));

  private static S3ProxyFixture server;
  private static S3Settings bucket;
  private static S3Client s3;

  private S3Settings settings;
  private S3KeyRecords records;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyFixture.inMemory();
    bucket = server.bucket("keys", "");
    s3 = S3Clients.create(bucket);
  }

  @AfterAll
  static void stopServer() throws Exception {
    s3.close();
    server.close();
  }

  @BeforeEach
  void freshPrefix() {
    settings = bucket.withPrefix("run" + RUNS.incrementAndGet() + "/dz");
    records = new S3KeyRecords(s3, settings);
  }

  @Test
  void aCreatedRecordReadsBackAndIsStoredAsDocumentedJson() throws Exception {
    assertThat(records.createIfAbsent(ALICE)).isTrue();

    assertThat(records.read("alice")).contains(ALICE);
    JsonNode json = new ObjectMapper().readTree(raw(settings.key(".dropzone/keys/alice.json")));
    assertThat(json.get("version").asInt()).isEqualTo(1);
    assertThat(json.get("user").asText()).isEqualTo("alice");
    assertThat(json.get("keyRef").asText()).isEqualTo("local:1234");
    assertThat(json.get("wrappedKey").asText()).isEqualTo("AAECAwQFBgcICQ==");
    assertThat(json.get("created").asText()).isEqualTo("2026-01-02T03:04:05.123456Z");
  }

  @Test
  void withoutAPrefixRecordsLiveAtTheBucketsReservedDirectory() throws Exception {
    S3KeyRecords top = new S3KeyRecords(s3, bucket.withPrefix(""));
    top.replace(ALICE);
    assertThat(raw(".dropzone/keys/alice.json")).contains("\"user\":\"alice\"");
  }

  @Test
  void aMissingRecordIsEmpty() throws Exception {
    assertThat(records.read("nobody")).isEmpty();
  }

  @Test
  void createIfAbsentKeepsTheFirstRecord() throws Exception {
    KeyRecord other =
        new KeyRecord("alice", new WrappedKey("local:1234", "b3RoZXI="), Instant.now());
    assertThat(records.createIfAbsent(ALICE)).isTrue();
    assertThat(records.createIfAbsent(other)).isFalse();
    assertThat(records.read("alice")).contains(ALICE);
  }

  @Test
  void replaceOverwritesUnconditionally() throws Exception {
    KeyRecord rotated =
        new KeyRecord(
            "alice",
            new WrappedKey("local:5678", "cm90YXRlZA=="),
            Instant.parse("2026-02-01T00:00:00Z"));
    records.createIfAbsent(ALICE);
    records.replace(rotated);
    assertThat(records.read("alice")).contains(rotated);
  }

  @Test
  void recordsOfDifferentUsersAreSeparate() throws Exception {
    KeyRecord bob = new KeyRecord("bob", new WrappedKey("local:1234", "Ym9i"), Instant.now());
    records.createIfAbsent(ALICE);
    assertThat(records.createIfAbsent(bob)).isTrue();
    assertThat(records.read("alice")).contains(ALICE);
    assertThat(records.read("bob")).contains(bob);
  }

  @Test
  void malformedJsonIsAClearError() {
    putRaw("alice", "{not json");
    assertThatThrownBy(() -> records.read("alice"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Key record " + settings.key(".dropzone/keys/alice.json"))
        .hasMessageContaining("is not valid JSON");
  }

  @Test
  void aRecordOfAnotherUserIsRefused() throws Exception {
    // E.g. a record copied to the wrong name: its key must not be used for alice.
    records.replace(new KeyRecord("bob", new WrappedKey("local:1", "Ym9i"), Instant.now()));
    s3.copyObject(
        b ->
            b.sourceBucket(settings.bucket())
                .sourceKey(settings.key(".dropzone/keys/bob.json"))
                .destinationBucket(settings.bucket())
                .destinationKey(settings.key(".dropzone/keys/alice.json")));
    assertThatThrownBy(() -> records.read("alice"))
        .isInstanceOf(IOException.class)
        .hasMessageEndingWith("belongs to user 'bob', not 'alice'");
  }

  @Test
  void anUnknownVersionOrMissingFieldsAreRefused() {
    putRaw(
        "alice",
        "{\"version\":2,\"user\":\"alice\",\"keyRef\":\"k:1\",\"wrappedKey\":\"x\","
            + "\"created\":\"2026-01-01T00:00:00Z\"}");
    assertThatThrownBy(() -> records.read("alice"))
        .isInstanceOf(IOException.class)
        .hasMessageEndingWith("has format version 2, expected 1");

    putRaw("alice", "{\"version\":1,\"user\":\"alice\",\"keyRef\":\"k:1\"}");
    assertThatThrownBy(() -> records.read("alice"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("lacks one of keyRef, wrappedKey, created");

    putRaw(
        "alice",
        "{\"version\":1,\"user\":\"alice\",\"keyRef\":\"k:1\",\"wrappedKey\":\"x\","
            + "\"created\":\"yesterday\"}");
    assertThatThrownBy(() -> records.read("alice"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is malformed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "a/b", "../alice", "a\nb", "a\u0000b", "a\u007fb"})
  void userNamesThatCannotNameAKeyAreRefused(String user) {
    assertThatThrownBy(() -> records.read(user))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_PATH))
        .hasMessageContaining("cannot name a key record");
  }

  private void putRaw(String user, String json) {
    s3.putObject(
        b -> b.bucket(settings.bucket()).key(settings.key(".dropzone/keys/" + user + ".json")),
        RequestBody.fromString(json, StandardCharsets.UTF_8));
  }

  private String raw(String key) {
    return s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key)).asUtf8String();
  }
}
