package dev.dropzone.store.s3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dropzone.kek.DamagedKeyRecordException;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Key records as JSON objects at {@code <prefix>/.dropzone/keys/<user>.json}, shared by every
 * gateway replica on the bucket. A record holds only the wrapped key, never key material. Version 1
 * and version 2 records are read; what a record is worth is decided by its reader ({@code
 * UserKeys}), which checks the user it names, its domain, MAC and epoch.
 */
public final class S3KeyRecords implements KeyRecordStore {

  private static final Logger LOG = LoggerFactory.getLogger(S3KeyRecords.class);

  /** Records are a few hundred bytes; anything much larger is not one of ours. */
  private static final int MAX_RECORD_BYTES = 64 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * The stored form; field names are part of the on-bucket format (docs/FORMAT.md). Version 1
   * records lack domain, epoch and mac; they are left out when null.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  private record Json(
      int version,
      String user,
      String domain,
      Long epoch,
      String keyRef,
      String wrappedKey,
      String created,
      String mac) {}

  private final S3Client s3;
  private final String bucket;
  private final String directory;

  public S3KeyRecords(S3Client s3, S3Settings settings) {
    this.s3 = s3;
    this.bucket = settings.bucket();
    this.directory = settings.key(VirtualPath.RESERVED + "/keys/");
  }

  /**
   * A record as stored, with the ETag of the version read.
   *
   * @param eTag lets a later write be conditional on the record being unchanged
   */
  public record Versioned(KeyRecord record, String eTag) {}

  @Override
  public Optional<KeyRecord> read(String user) throws IOException {
    return readVersioned(user).map(Versioned::record);
  }

  /**
   * The record of {@code user} as stored (the user it names may differ), with its ETag.
   *
   * @throws DamagedKeyRecordException when the object is not a key record
   */
  public Optional<Versioned> readVersioned(String user) throws IOException {
    String key = keyOf(user);
    byte[] body;
    String eTag;
    try {
      ObjectPrefix read =
          ObjectPrefix.read(
              s3, GetObjectRequest.builder().bucket(bucket).key(key).build(), MAX_RECORD_BYTES);
      eTag = read.response().eTag();
      body = read.bytes();
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw S3Errors.map(e, "read the key record of " + user);
    }
    if (body.length > MAX_RECORD_BYTES) {
      throw new DamagedKeyRecordException(
          "Key record " + key + " is larger than " + MAX_RECORD_BYTES + " bytes: not a key record");
    }
    return Optional.of(new Versioned(parse(body, key), eTag));
  }

  /**
   * Replaces the record of {@code record.user()} if it still is the version with {@code eTag}: a
   * HEAD checks that first (some S3-compatible servers ignore conditional writes silently), then
   * the PUT carries {@code If-Match}, which servers with conditional writes enforce atomically.
   * Elsewhere a short window between the two remains.
   *
   * @throws StoreException PARTIAL when the record changed since it was read
   */
  public void replaceIfUnchanged(KeyRecord record, String eTag) throws IOException {
    String key = keyOf(record.user());
    String now;
    try {
      now = s3.headObject(b -> b.bucket(bucket).key(key)).eTag();
    } catch (SdkException e) {
      throw S3Errors.map(e, "look up the key record of " + record.user());
    }
    if (!eTag.equals(now)) {
      throw changed(record.user(), null);
    }
    byte[] body = render(record);
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(key).contentType("application/json").ifMatch(eTag),
          RequestBody.fromBytes(body));
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        throw changed(record.user(), e);
      }
      if (e.statusCode() != 501 && e.statusCode() != 400) {
        throw S3Errors.map(e, "write the key record of " + record.user());
      }
      LOG.debug(
          "Storage refused a conditional write ({}); writing after the check", e.statusCode());
      put(key, body, record.user());
    } catch (SdkException e) {
      throw S3Errors.map(e, "write the key record of " + record.user());
    }
  }

  private static StoreException changed(String user, Exception cause) {
    return new StoreException(
        Reason.PARTIAL,
        "the key record of " + user + " changed while it was rewrapped (rotated?); run again",
        cause);
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
            record.version(),
            record.user(),
            record.domain(),
            record.isV2() ? record.epoch() : null,
            record.key().ref(),
            record.key().text(),
            record.created().toString(),
            record.mac()));
  }

  /** The record in {@code body} as stored; the user it names may differ from the one asked for. */
  private static KeyRecord parse(byte[] body, String key) throws DamagedKeyRecordException {
    Json json;
    try {
      json = JSON.readValue(body, Json.class);
    } catch (IOException e) {
      String why = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.toString();
      throw new DamagedKeyRecordException(
          "Key record " + key + " is not valid JSON (" + why + ")", e);
    }
    if (json.version() != 1 && json.version() != 2) {
      throw new DamagedKeyRecordException(
          "Key record " + key + " has format version " + json.version() + ", expected 1 or 2");
    }
    if (json.user() == null
        || json.keyRef() == null
        || json.wrappedKey() == null
        || json.created() == null
        || (json.version() == 2
            && (json.domain() == null || json.epoch() == null || json.mac() == null))) {
      throw new DamagedKeyRecordException(
          "Key record "
              + key
              + " lacks one of user, keyRef, wrappedKey, created"
              + (json.version() == 2 ? ", domain, epoch, mac" : ""));
    }
    try {
      WrappedKey wrapped = new WrappedKey(json.keyRef(), json.wrappedKey());
      Instant created = Instant.parse(json.created());
      if (json.version() == 1) {
        return KeyRecord.v1(json.user(), wrapped, created);
      }
      return new KeyRecord(
          2, json.user(), json.domain(), json.epoch(), wrapped, created, json.mac());
    } catch (IllegalArgumentException | DateTimeParseException | NullPointerException e) {
      throw new DamagedKeyRecordException(
          "Key record " + key + " is malformed: " + e.getMessage(), e);
    }
  }
}
