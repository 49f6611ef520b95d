package dev.dropzone.store.tree;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The recorded times a listing found for one directory's files, kept in one object so that a
 * gateway that has not listed the directory before (a restarted one, another replica) reads them
 * with one GET instead of one HEAD per file. Kept at {@code <prefix>/.dropzone/times/<base64url(
 * SHA-256(directory prefix))>}, written after a listing that had to HEAD many files.
 *
 * <p>Each line binds a time to one stored version of a file (its ETag and Last-Modified to the
 * second), and {@link RecordedTimes#remember} takes it only for that version and only once it is
 * settled: a file rewritten or retimed since simply does not match and is HEADed as before. The
 * object holds what the objects' own metadata shows anyway (names and times, no secret); like that
 * metadata it is not authenticated, so a bucket writer who edits it changes what listings show, not
 * what a read, MDTM or HASH checks (they read the object's own metadata). A missing, damaged or
 * oversized object is ignored: the listing HEADs instead.
 */
final class KeptTimes {

  private static final Logger LOG = LoggerFactory.getLogger(KeptTimes.class);

  static final String FIRST_LINE = "dz-times 1";

  /** About 100 bytes a line: room for ~100,000 files, the bound of what is remembered anyway. */
  static final int MAX_BYTES = 16 * 1024 * 1024;

  /** One file's line: its name inside the directory, the version it was found for, its time. */
  record Entry(String name, String eTag, Instant lastModified, Instant time) {}

  private final S3Client s3;
  private final String bucket;
  private final String directory;

  /**
   * @param reservedKey the key of the reserved area, e.g. {@code prefix/.dropzone}
   */
  KeptTimes(S3Client s3, String bucket, String reservedKey) {
    this.s3 = s3;
    this.bucket = bucket;
    this.directory = reservedKey + "/times/";
  }

  /** The key of the times kept for the directory whose keys start with {@code dirPrefix}. */
  String keyOf(String dirPrefix) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(dirPrefix.getBytes(StandardCharsets.UTF_8));
      return directory + Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /**
   * Hands every kept line of {@code dirPrefix} to {@code times}. Never fails: without kept times a
   * listing HEADs, as it always could.
   */
  void load(String dirPrefix, RecordedTimes times) {
    String key = keyOf(dirPrefix);
    Optional<byte[]> body = read(key);
    if (body.isEmpty()) {
      return;
    }
    Optional<List<Entry>> entries = parse(body.get());
    if (entries.isEmpty()) {
      LOG.warn(
          "Ignoring {}: not a list of recorded times; listings of {} look the times up in each"
              + " file instead (the next such listing rewrites it)",
          key,
          dirPrefix);
      return;
    }
    for (Entry entry : entries.get()) {
      times.remember(
          new RecordedTimes.Version(dirPrefix + entry.name(), entry.eTag(), entry.lastModified()),
          entry.time());
    }
  }

  /** Keeps {@code entries} for {@code dirPrefix}, replacing what was kept; failures are logged. */
  void keep(String dirPrefix, List<Entry> entries) {
    String key = keyOf(dirPrefix);
    byte[] body = format(entries);
    if (body.length > MAX_BYTES) {
      LOG.debug(
          "Not keeping the times of {}: {} files are more than one object holds",
          key,
          entries.size());
      return;
    }
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(key).contentType("text/plain"), RequestBody.fromBytes(body));
      LOG.debug("Kept the times of {} files of {} in {}", entries.size(), dirPrefix, key);
    } catch (SdkException e) {
      LOG.warn(
          "Could not keep the listed times of {} in {} ({}): listings on other gateways HEAD"
              + " each file instead; if S3 denied it, allow the gateway to put and delete objects"
              + " under the prefix's .dropzone/",
          dirPrefix,
          key,
          e.toString());
    }
  }

  /** Removes what is kept for {@code dirPrefix} (its directory is gone); failures are logged. */
  void forget(String dirPrefix) {
    String key = keyOf(dirPrefix);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      LOG.debug(
          "Could not remove the kept times {} of removed {}: {}", key, dirPrefix, e.toString());
    }
  }

  private Optional<byte[]> read(String key) {
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key))) {
      Long length = in.response().contentLength();
      if (length != null && length > MAX_BYTES) {
        in.abort();
        LOG.warn("Ignoring {}: {} bytes is more than kept times ever take", key, length);
        return Optional.empty();
      }
      return bounded(in, key);
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        LOG.warn(
            "Could not read the kept times {} ({}): listing HEADs each file; if S3 denied it,"
                + " allow the gateway to get objects under the prefix's .dropzone/",
            key,
            e.toString());
      }
      return Optional.empty();
    } catch (SdkException | IOException e) {
      LOG.warn("Could not read the kept times {} ({}): listing HEADs each file", key, e.toString());
      return Optional.empty();
    }
  }

  private static Optional<byte[]> bounded(ResponseInputStream<GetObjectResponse> in, String key)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      out.write(buffer, 0, n);
      if (out.size() > MAX_BYTES) {
        in.abort();
        LOG.warn("Ignoring {}: more than {} bytes, more than kept times ever take", key, MAX_BYTES);
        return Optional.empty();
      }
    }
    return Optional.of(out.toByteArray());
  }

  /** The object's content for {@code entries}, as {@link #parse} reads it. */
  static byte[] format(List<Entry> entries) {
    StringBuilder text = new StringBuilder(FIRST_LINE).append('\n');
    Base64.Encoder names = Base64.getUrlEncoder().withoutPadding();
    for (Entry entry : entries) {
      text.append(names.encodeToString(entry.name().getBytes(StandardCharsets.UTF_8)))
          .append(' ')
          .append(RecordedTimes.unquoted(entry.eTag()))
          .append(' ')
          .append(entry.lastModified().getEpochSecond())
          .append(' ')
          .append(entry.time().toEpochMilli())
          .append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The lines of {@code body}; empty if any line is not one this class writes. */
  static Optional<List<Entry>> parse(byte[] body) {
    String[] lines = new String(body, StandardCharsets.UTF_8).split("\n", -1);
    if (lines.length < 2 || !lines[0].equals(FIRST_LINE) || !lines[lines.length - 1].isEmpty()) {
      return Optional.empty();
    }
    List<Entry> entries = new ArrayList<>(lines.length - 2);
    Base64.Decoder names = Base64.getUrlDecoder();
    try {
      for (int i = 1; i < lines.length - 1; i++) {
        String[] fields = lines[i].split(" ", -1);
        if (fields.length != 4 || fields[1].isEmpty()) {
          return Optional.empty();
        }
        String name = new String(names.decode(fields[0]), StandardCharsets.UTF_8);
        if (name.isEmpty() || name.contains("/")) {
          return Optional.empty();
        }
        entries.add(
            new Entry(
                name,
                fields[1],
                Instant.ofEpochSecond(Long.parseLong(fields[2])),
                Instant.ofEpochMilli(Long.parseLong(fields[3]))));
      }
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      // NumberFormatException and Base64's failures are IllegalArgumentExceptions.
      return Optional.empty();
    }
    return Optional.of(entries);
  }
}
