package dev.dropzone.store.transfer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.format.ObjectMetadata;
import dev.dropzone.kek.format.RecordFields;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.Upload;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.s3.S3KeyRecords;
import dev.dropzone.store.testing.FixedKeys;
import dev.dropzone.store.testing.S3ProxyFixture;
import dev.dropzone.store.testing.V1Objects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes the format's test vectors (docs/format-vectors) with Dropzone's own upload code under the
 * fixed key {@code 00 01 … 1f}: run once when the format changes, never by the build, which checks
 * the stored vectors instead ({@code FormatVectorsTest}).
 *
 * <p>usage: {@code FormatVectorsWriter DIRECTORY}
 */
public final class FormatVectorsWriter {

  static final String DOMAIN = "users/alice";
  static final Instant TIME = Instant.parse("2026-01-02T03:04:05.678Z");

  private FormatVectorsWriter() {}

  /** Plaintext byte {@code i} is {@code i mod 251}: reproducible, no run of zeros. */
  static byte[] plaintext(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i % 251);
    }
    return bytes;
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    FixedKeys keys = FixedKeys.counting();
    try (S3ProxyFixture server = S3ProxyFixture.inMemory()) {
      S3Settings settings = server.bucket("vectors", "");
      try (S3Client s3 = S3Clients.create(settings);
          ObjectTransfers transfers =
              new ObjectTransfers(
                  s3,
                  settings,
                  dev.dropzone.store.FormatPolicy.DEFAULT,
                  Clock.fixed(TIME, ZoneOffset.UTC))) {
        SessionKeys session = new SessionKeys(new KeyOwner("alice", DOMAIN), keys);
        List<Map<String, Object>> objects = new ArrayList<>();
        objects.add(write(s3, settings, transfers, session, out, "empty", plaintext(0), false));
        objects.add(
            write(
                s3,
                settings,
                transfers,
                session,
                out,
                "hello.txt",
                "Hello, Dropzone!\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                false));
        objects.add(
            write(
                s3,
                settings,
                transfers,
                session,
                out,
                "two-segments.bin",
                plaintext(1_048_620),
                true));
        objects.add(v1(s3, settings, keys, out));

        RecordFields fields = new RecordFields("alice", DOMAIN, 1, TIME);
        new S3KeyRecords(s3, settings)
            .replace(KeyRecord.v2(fields, keys.wrapped(), keys.key().recordTag(fields)));
        Files.write(
            out.resolve("alice.json"),
            s3.getObjectAsBytes(b -> b.bucket("vectors").key(".dropzone/keys/alice.json"))
                .asByteArray());

        Map<String, Object> vectors = new LinkedHashMap<>();
        vectors.put("dataKey", HexFormat.of().formatHex(keys.raw()));
        vectors.put("objects", objects);
        vectors.put("records", List.of(Map.of("file", "alice.json")));
        new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(out.resolve("vectors.json").toFile(), vectors);
      }
    }
  }

  /**
   * Uploads {@code plaintext} through the store; with {@code digestRecord} the sealed digest is
   * moved from {@code dz-digest} to a digest record, as an upload in parts stores it.
   */
  private static Map<String, Object> write(
      S3Client s3,
      S3Settings settings,
      ObjectTransfers transfers,
      SessionKeys session,
      Path out,
      String path,
      byte[] plaintext,
      boolean digestRecord)
      throws Exception {
    String key = settings.key(DOMAIN + "/" + path);
    try (Upload upload = transfers.openWrite(key, path, session, 0)) {
      upload.stream().write(plaintext);
      upload.commit();
    }
    Map<String, String> metadata =
        new TreeMap<>(s3.headObject(b -> b.bucket(settings.bucket()).key(key)).metadata());
    Map<String, Object> vector = vector(path, "2", metadata, plaintext, out, s3, settings, key);
    if (digestRecord) {
      String sealed = metadata.remove(ObjectFormat.META_DIGEST);
      ObjectMetadata.V2 v2 = (ObjectMetadata.V2) ObjectMetadata.parse(metadata(metadata, sealed));
      String record =
          new DigestRecords(s3, settings)
              .keyOf(v2.header())
              .substring(settings.key(".dropzone/digests/").length());
      Files.writeString(out.resolve(record), sealed);
      vector.put("metadata", metadata);
      vector.put("digestRecord", record);
    }
    return vector;
  }

  private static Map<String, String> metadata(Map<String, String> metadata, String sealed) {
    Map<String, String> with = new TreeMap<>(metadata);
    with.put(ObjectFormat.META_DIGEST, sealed);
    return with;
  }

  private static Map<String, Object> v1(S3Client s3, S3Settings settings, FixedKeys keys, Path out)
      throws Exception {
    String path = "v1.txt";
    String key = settings.key(DOMAIN + "/" + path);
    byte[] plaintext =
        "A file from before format v2.\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    V1Objects.put(s3, settings.bucket(), key, "alice", keys.wrapped(), keys.key(), plaintext);
    Map<String, String> metadata =
        new TreeMap<>(s3.headObject(b -> b.bucket(settings.bucket()).key(key)).metadata());
    return vector(path, "1", metadata, plaintext, out, s3, settings, key);
  }

  private static Map<String, Object> vector(
      String path,
      String format,
      Map<String, String> metadata,
      byte[] plaintext,
      Path out,
      S3Client s3,
      S3Settings settings,
      String key)
      throws Exception {
    String body = path + ".body";
    Files.write(
        out.resolve(body),
        s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key)).asByteArray());
    Map<String, Object> vector = new LinkedHashMap<>();
    vector.put("name", path);
    vector.put("format", format);
    vector.put("domain", DOMAIN);
    vector.put("path", path);
    vector.put("metadata", metadata);
    vector.put("body", body);
    vector.put("plaintextSize", plaintext.length);
    vector.put(
        "plaintextSha256",
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plaintext)));
    return vector;
  }
}
