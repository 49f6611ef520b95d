package dev.dropzone.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.kek.DamagedKeyRecordException;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.RecordFields;
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
      KeyRecord.v1(
          "alice",
          new WrappedKey("local:1234", "AAECAwQFBgcICQ=="),
          Instant.parse("2026-01-02T03:04:05.123456Z"));
  private static final KeyRecord ALICE_V2 =
      KeyRecord.v2(
          new RecordFields("alice", "users/alice", 3, Instant.parse("2026-01-02T03:04:05.123Z")),
          new WrappedKey("local:1234", "AAECAwQFBgcICQ=="),
          new byte[] {1, 2, 3});

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
  void aVersion2RecordReadsBackAndIsStoredAsDocumentedJson() throws Exception {
    records.replace(ALICE_V2);

    assertThat(records.read("alice")).contains(ALICE_V2);
    JsonNode json = new ObjectMapper().readTree(raw(settings.key(".dropzone/keys/alice.json")));
    assertThat(json.get("version").asInt()).isEqualTo(2);
    assertThat(json.get("user").asText()).isEqualTo("alice");
    assertThat(json.get("domain").asText()).isEqualTo("users/alice");
    assertThat(json.get("epoch").asLong()).isEqualTo(3);
    assertThat(json.get("keyRef").asText()).isEqualTo("local:1234");
    assertThat(json.get("wrappedKey").asText()).isEqualTo("AAECAwQFBgcICQ==");
    assertThat(json.get("created").asText()).isEqualTo("2026-01-02T03:04:05.123Z");
    assertThat(json.get("mac").asText()).isEqualTo("AQID");
  }

  @Test
  void aConditionalReplaceWritesOnlyOverTheVersionItRead() throws Exception {
    records.replace(ALICE_V2);
    S3KeyRecords.Versioned read = records.readVersioned("alice").orElseThrow();
    KeyRecord rotated =
        KeyRecord.v2(
            new RecordFields("alice", "users/alice", 4, Instant.parse("2026-03-01T00:00:00Z")),
            new WrappedKey("local:1234", "cm90YXRlZA=="),
            new byte[] {4});
    records.replace(rotated);

    assertThatThrownBy(
            () ->
                records.replaceIfUnchanged(
                    read.record().withKey(new WrappedKey("local:9", "bmV3")), read.eTag()))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PARTIAL))
        .hasMessageContaining("changed while it was rewrapped");
    assertThat(records.read("alice")).contains(rotated);

    S3KeyRecords.Versioned current = records.readVersioned("alice").orElseThrow();
    KeyRecord rewrapped = current.record().withKey(new WrappedKey("local:9", "bmV3"));
    records.replaceIfUnchanged(rewrapped, current.eTag());
    assertThat(records.read("alice")).contains(rewrapped);
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
        KeyRecord.v1("alice", new WrappedKey("local:1234", "b3RoZXI="), Instant.now());
    assertThat(records.createIfAbsent(ALICE)).isTrue();
    assertThat(records.createIfAbsent(other)).isFalse();
    assertThat(records.read("alice")).contains(ALICE);
  }

  @Test
  void replaceOverwritesUnconditionally() throws Exception {
    KeyRecord rotated =
        KeyRecord.v1(
            "alice",
            new WrappedKey("local:5678", "cm90YXRlZA=="),
            Instant.parse("2026-02-01T00:00:00Z"));
    records.createIfAbsent(ALICE);
    records.replace(rotated);
    assertThat(records.read("alice")).contains(rotated);
  }

  @Test
  void recordsOfDifferentUsersAreSeparate() throws Exception {
    KeyRecord bob = KeyRecord.v1("bob", new WrappedKey("local:1234", "Ym9i"), Instant.now());
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

  /**
   * E.g. a record copied to the wrong name: the store returns it as it is, naming bob, and its
   * reader (UserKeys) refuses it for alice and logs why.
   */
  @Test
  void aRecordOfAnotherUserIsReturnedAsStoredForItsReaderToRefuse() throws Exception {
    KeyRecord bobs = KeyRecord.v1("bob", new WrappedKey("local:1", "Ym9i"), Instant.now());
    records.replace(bobs);
    s3.copyObject(
        b ->
            b.sourceBucket(settings.bucket())
                .sourceKey(settings.key(".dropzone/keys/bob.json"))
                .destinationBucket(settings.bucket())
                .destinationKey(settings.key(".dropzone/keys/alice.json")));
    assertThat(records.read("alice")).contains(bobs);
  }

  @Test
  void anUnknownVersionOrMissingFieldsAreRefused() {
    putRaw(
        "alice",
        "{\"version\":3,\"user\":\"alice\",\"keyRef\":\"k:1\",\"wrappedKey\":\"x\","
            + "\"created\":\"2026-01-01T00:00:00Z\"}");
    assertThatThrownBy(() -> records.read("alice"))
        .isInstanceOf(DamagedKeyRecordException.class)
        .hasMessageEndingWith("has format version 3, expected 1 or 2");

    putRaw(
        "alice",
        "{\"version\":2,\"user\":\"alice\",\"keyRef\":\"k:1\",\"wrappedKey\":\"x\","
            + "\"created\":\"2026-01-01T00:00:00Z\"}");
    assertThatThrownBy(() -> records.read("alice"))
        .isInstanceOf(DamagedKeyRecordException.class)
        .hasMessageContaining("lacks one of user, keyRef, wrappedKey, created, domain, epoch, mac");

    putRaw("alice", "{\"version\":1,\"user\":\"alice\",\"keyRef\":\"k:1\"}");
    assertThatThrownBy(() -> records.read("alice"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("lacks one of user, keyRef, wrappedKey, created");

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
