package dev.dropzone.store.rewrap;

import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.S3KeyRecords;
import dev.dropzone.store.tree.ObjectCopier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The wrapped keys kept in the bucket, for key maintenance: the users' key records under {@code
 * .dropzone/keys/} and the {@code dz-key} of every object. Rewrapping an object replaces only its
 * metadata, by a server-side copy onto itself: the encrypted body is never downloaded or uploaded.
 */
public final class StoredKeys implements AutoCloseable {

  /** An object as listed, before its metadata is read. */
  public record StoredObject(String key, long size) {}

  /** What {@link #rewrap} did with one object. */
  public enum Outcome {
    REWRAPPED,
    /** Its key is already wrapped under the current master key version: nothing to do. */
    ALREADY_CURRENT,
    /** It has no {@code dz-format}: not written by Dropzone, so it has no key to rewrap. */
    NOT_ENCRYPTED
  }

  /** Turns a wrapped key into one under the current master key version. */
  @FunctionalInterface
  public interface Rewrap {
    WrappedKey apply(WrappedKey old, String user) throws KeyServiceException, InterruptedException;
  }

  private final S3Client s3;
  private final S3Settings settings;
  private final ObjectCopier copier;

  private StoredKeys(S3Client s3, S3Settings settings) {
    this.s3 = s3;
    this.settings = settings;
    this.copier = new ObjectCopier(s3, settings.bucket(), ObjectCopier.Limits.S3);
  }

  public static StoredKeys open(S3Settings settings) {
    return using(S3Clients.create(settings), settings);
  }

  /**
   * Over a client the caller configured (interceptors, metrics); it must follow {@link S3Clients}'
   * settings. Closing this closes the client.
   */
  public static StoredKeys using(S3Client s3, S3Settings settings) {
    return new StoredKeys(s3, settings);
  }

  /** The users' key records, for rotation. */
  public KeyRecordStore records() {
    return new S3KeyRecords(s3, settings);
  }

  /** Every user that has a key record. */
  public List<String> recordedUsers() throws StoreException {
    String directory = settings.key(VirtualPath.RESERVED + "/keys/");
    List<String> users = new ArrayList<>();
    for (S3Object object : list(directory)) {
      String name = object.key().substring(directory.length());
      if (name.endsWith(".json") && name.indexOf('/') < 0) {
        users.add(name.substring(0, name.length() - ".json".length()));
      }
    }
    return users;
  }

  /**
   * Every object under {@code under} (a path below the configured prefix, empty for all) that may
   * carry a wrapped key: the reserved area and directory markers are left out.
   */
  public List<StoredObject> objects(String under) throws StoreException {
    String root = settings.key("");
    String start = settings.key(under == null ? "" : under.replaceAll("^/+", ""));
    String reserved = settings.key(VirtualPath.RESERVED + "/");
    List<StoredObject> found = new ArrayList<>();
    for (S3Object object : list(start)) {
      String key = object.key();
      if (key.startsWith(reserved) || key.endsWith("/") || !key.startsWith(root)) {
        continue;
      }
      found.add(new StoredObject(key, object.size()));
    }
    return found;
  }

  /**
   * Rewraps the key of {@code object} unless its {@code dz-key-ref} already is {@code currentRef}.
   * Safe to repeat: a second run finds the object current and leaves it alone. The copy is
   * conditional on the ETag read here, so an object overwritten meanwhile (whose new key is current
   * anyway) is not clobbered with stale metadata; that surfaces as a failure naming the object.
   */
  public Outcome rewrap(StoredObject object, String currentRef, Rewrap rewrap)
      throws StoreException, KeyServiceException, InterruptedException {
    String what = "rewrap the key of " + object.key();
    HeadObjectResponse head;
    try {
      head = s3.headObject(b -> b.bucket(settings.bucket()).key(object.key()));
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
    Map<String, String> metadata = head.metadata();
    if (!metadata.containsKey(ObjectFormat.META_FORMAT)) {
      return Outcome.NOT_ENCRYPTED;
    }
    String ref = metadata.get(ObjectFormat.META_KEY_REF);
    if (currentRef.equals(ref)) {
      return Outcome.ALREADY_CURRENT;
    }
    String text = metadata.get(ObjectFormat.META_KEY);
    String user = metadata.get(ObjectFormat.META_USER);
    if (text == null || ref == null || user == null) {
      throw new StoreException(
          Reason.INTEGRITY,
          object.key() + " lacks dz-key, dz-key-ref or dz-user: its key metadata is damaged");
    }
    WrappedKey fresh;
    try {
      fresh = rewrap.apply(new WrappedKey(ref, text), user);
    } catch (IllegalArgumentException e) {
      throw new StoreException(
          Reason.INTEGRITY, object.key() + " has a malformed dz-key: " + e.getMessage(), e);
    }
    Map<String, String> replaced = new HashMap<>(metadata);
    replaced.put(ObjectFormat.META_KEY, fresh.text());
    replaced.put(ObjectFormat.META_KEY_REF, fresh.ref());
    try {
      copier.replaceMetadata(
          object.key(),
          head.contentLength(),
          new ObjectCopier.Replacement(replaced, head.contentType(), head.eTag()),
          what);
    } catch (StoreException e) {
      if (e.getCause() instanceof S3Exception s3e && s3e.statusCode() == 412) {
        throw new StoreException(
            Reason.PARTIAL,
            object.key() + " changed while it was rewrapped; run rewrap again to pick it up",
            e);
      }
      throw e;
    }
    return Outcome.REWRAPPED;
  }

  private Iterable<S3Object> list(String prefix) throws StoreException {
    try {
      List<S3Object> all = new ArrayList<>();
      s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(prefix))
          .contents()
          .forEach(all::add);
      return all;
    } catch (SdkException e) {
      throw S3Errors.map(e, "list " + prefix);
    }
  }

  @Override
  public void close() {
    s3.close();
  }
}
