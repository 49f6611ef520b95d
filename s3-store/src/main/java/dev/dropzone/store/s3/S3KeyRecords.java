package dev.dropzone.store.s3;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Key records as JSON objects at {@code <prefix>/.dropzone/keys/<user>.json}, shared by every
 * gateway replica on the bucket. A record holds only the wrapped key, never key material.
 */
public final class S3KeyRecords implements KeyRecordStore {

  private static final Logger LOG = LoggerFactory.getLogger(S3KeyRecords.class);

  private static final int FORMAT_VERSION = 1;

  /** Records are a few hundred bytes; anything much larger is not one of ours. */
  private static final int MAX_RECORD_BYTES = 64 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The stored form; field names are part of the on-bucket format. */
  private record Json(int version, String user, String keyRef, String wrappedKey, String created) {}

  private final S3Client s3;
  private final String bucket;
  private final String directory;

  public S3KeyRecords(S3Client s3, S3Settings settings) {
    this.s3 = s3;
    this.bucket = settings.bucket();
    this.directory = settings.key(VirtualPath.RESERVED + "/keys/");
  }

  @Override
  public Optional<KeyRecord> read(String user) throws IOException {
    String key = keyOf(user);
    byte[] body;
    try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(key))) {
      body = in.readNBytes(MAX_RECORD_BYTES + 1);
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw S3Errors.map(e, "read the key record of " + user);
    }
    if (body.length > MAX_RECORD_BYTES) {
      throw new IOException(
          "Key record " + key + " is larger than " + MAX_RECORD_BYTES + " bytes: not a key record");
    }
    return Optional.of(parse(body, user, key));
  }

  /**
   * Writes with {@code If-None-Match: *}, preceded by a HEAD: some S3-compatible servers ignore the
   * condition or reject it as unsupported, and then the HEAD is what keeps an existing record. The
   * window that leaves between HEAD and PUT is harmless: a racing writer's key may replace ours in
   * the record, but every object carries its own wrapped key ({@code dz-key}), so objects written
   * with the losing key stay readable.
   */
  @Override
  public boolean createIfAbsent(KeyRecord record) throws IOException {
    String key = keyOf(record.user());
    if (exists(key, record.user())) {
      return false;
    }
    byte[] body = render(record);
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(key).contentType("application/json").ifNoneMatch("*"),
          RequestBody.fromBytes(body));
    } catch (S3Exception e) {
      if (e.statusCode() == 412 || e.statusCode() == 409) {
        // 412: another writer created it first; 409: a concurrent conditional write is in flight.
        LOG.debug("Key record of {} was created concurrently", record.user());
        return false;
      }
      if (e.statusCode() != 501 && e.statusCode() != 400) {
        throw S3Errors.map(e, "create the key record of " + record.user());
      }
      LOG.debug(
          "Storage refused a conditional write ({}); writing the key record of {} after the HEAD"
              + " check alone",
          e.statusCode(),
          record.user());
      put(key, body, record.user());
    } catch (SdkException e) {
      throw S3Errors.map(e, "create the key record of " + record.user());
    }
    LOG.debug("Created key record {} ({})", key, record.key().ref());
    return true;
  }

  @Override
  public void replace(KeyRecord record) throws IOException {
    String key = keyOf(record.user());
    put(key, render(record), record.user());
    LOG.debug("Replaced key record {} ({})", key, record.key().ref());
  }

  private void put(String key, byte[] body, String user) throws StoreException {
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(key).contentType("application/json"),
          RequestBody.fromBytes(body));
    } catch (SdkException e) {
      throw S3Errors.map(e, "write the key record of " + user);
    }
  }

  private boolean exists(String key, String user) throws StoreException {
    try {
      s3.headObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw S3Errors.map(e, "look up the key record of " + user);
    } catch (SdkException e) {
      throw S3Errors.map(e, "look up the key record of " + user);
    }
  }

  private String keyOf(String user) throws StoreException {
    String problem = problemWithUserName(user);
    if (problem != null) {
      throw new StoreException(
          Reason.INVALID_PATH, "User name '" + user + "' cannot name a key record: " + problem);
    }
    return directory + user + ".json";
  }

  /** A user name becomes one key segment: it must not climb, nest or carry control characters. */
  private static String problemWithUserName(String user) {
    if (user.isEmpty()) {
      return "it is empty";
    }
    if (user.equals(".") || user.equals("..")) {
      return "it is '.' or '..'";
    }
    if (user.indexOf('/') >= 0) {
      return "it contains '/'";
    }
    if (user.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return "it contains a control character";
    }
    return null;
  }

  private static byte[] render(KeyRecord record) throws IOException {
    return JSON.writeValueAsBytes(
        new Json(
            FORMAT_VERSION,
            record.user(),
            record.key().ref(),
            record.key().text(),
            record.created().toString()));
  }

  private static KeyRecord parse(byte[] body, String user, String key) throws IOException {
    Json json;
    try {
      json = JSON.readValue(body, Json.class);
    } catch (JsonProcessingException e) {
      throw new IOException(
          "Key record " + key + " is not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (json.version() != FORMAT_VERSION) {
      throw new IOException(
          "Key record " + key + " has format version " + json.version() + ", expected 1");
    }
    if (!user.equals(json.user())) {
      throw new IOException(
          "Key record " + key + " belongs to user '" + json.user() + "', not '" + user + "'");
    }
    if (json.keyRef() == null || json.wrappedKey() == null || json.created() == null) {
      throw new IOException(
          "Key record "
              + key
              + " lacks one of keyRef, wrappedKey, created: restore it from backup");
    }
    try {
      return new KeyRecord(
          user, new WrappedKey(json.keyRef(), json.wrappedKey()), Instant.parse(json.created()));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IOException("Key record " + key + " is malformed: " + e.getMessage(), e);
    }
  }
}
