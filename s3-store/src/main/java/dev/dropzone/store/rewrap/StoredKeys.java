package dev.dropzone.store.rewrap;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
import dev.dropzone.kek.format.FormatException;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.format.ObjectHeader;
import dev.dropzone.kek.format.ObjectIdentity;
import dev.dropzone.kek.format.ObjectMetadata;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.ObjectPrefix;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.S3KeyRecords;
import dev.dropzone.store.tree.ObjectCopier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The wrapped keys kept in the bucket, for key maintenance: the users' key records under {@code
 * .dropzone/keys/} and the {@code dz-key} of every object. Rewrapping or upgrading an object
 * replaces only its metadata, by a server-side copy onto itself conditional on its ETag: the
 * encrypted body is never downloaded or uploaded.
 */
public final class StoredKeys implements AutoCloseable {

  /** An object as listed, before its metadata is read. */
  public record StoredObject(String key, long size) {}

  /** What {@link #rewrap} or {@link #rewrapRecord} did with one object or record. */
  public enum Outcome {
    REWRAPPED,
    /** Its key is already wrapped under the current master key version: nothing to do. */
    ALREADY_CURRENT,
    /** It has no {@code dz-format}: not written by Dropzone, so it has no key to rewrap. */
    NOT_ENCRYPTED
  }

  /** What {@link #upgrade} did with one object. */
  public enum Upgrade {
    UPGRADED,
    /** Already format v2: nothing to do (so an interrupted run can simply be started again). */
    ALREADY_V2,
    /** It has no {@code dz-format}: not written by Dropzone. */
    NOT_ENCRYPTED,
    /**
     * Not below the home of the user its {@code dz-user} names: copied or moved there in storage.
     * Left in format v1, so it is refused once v1 objects are no longer accepted.
     */
    NOT_IN_OWNERS_HOME
  }

  /** Turns a wrapped key into one under the current master key version, with the same binding. */
  @FunctionalInterface
  public interface Rewrap {
    WrappedKey apply(WrappedKey old, KeyBinding binding)
        throws KeyServiceException, InterruptedException;
  }

  /** A v1 object's key, wrapped anew for a key domain, and the key itself to tag with. */
  public record Rebound(WrappedKey wrapped, DataKey key) {}

  /** Wraps a user's v1 key for {@code domain}: unwrap for the user, wrap for the domain. */
  @FunctionalInterface
  public interface Rebind {
    Rebound apply(WrappedKey v1Key, String user, String domain)
        throws KeyServiceException, InterruptedException;
  }

  private final S3Client s3;
  private final S3Settings settings;
  private final ObjectCopier copier;
  private final S3KeyRecords records;

  private StoredKeys(S3Client s3, S3Settings settings) {
    this.s3 = s3;
    this.settings = settings;
    this.copier =
        new ObjectCopier(
            s3,
            settings.bucket(),
            new ObjectCopier.Limits(settings.copyMultipartAbove(), settings.copyPartSize()));
    this.records = new S3KeyRecords(s3, settings);
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
    return records;
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
   * Rewraps the key of {@code object} unless its {@code dz-key-ref} already is {@code currentRef},
   * with the binding it was made for: the user of a v1 object, the key domain of a v2 object. A v2
   * object's identity tag does not cover the wrapped key, so it stays valid. Safe to repeat: a
   * second run finds the object current and leaves it alone. The copy is conditional on the ETag
   * read here, so an object overwritten meanwhile (whose new key is current anyway) is not
   * clobbered with stale metadata; that surfaces as a failure naming the object.
   */
  public Outcome rewrap(StoredObject object, String currentRef, Rewrap rewrap)
      throws StoreException, KeyServiceException, InterruptedException {
    String what = "rewrap the key of " + object.key();
    HeadObjectResponse head = head(object, what);
    Map<String, String> metadata = head.metadata();
    if (!metadata.containsKey(ObjectFormat.META_FORMAT)) {
      return Outcome.NOT_ENCRYPTED;
    }
    if (currentRef.equals(metadata.get(ObjectFormat.META_KEY_REF))) {
      return Outcome.ALREADY_CURRENT;
    }
    if (!metadata.containsKey(ObjectFormat.META_KEY)
        || !metadata.containsKey(ObjectFormat.META_KEY_REF)
        || !metadata.containsKey(ObjectFormat.META_USER)) {
      throw new StoreException(
          Reason.INTEGRITY,
          object.key() + " lacks dz-key, dz-key-ref or dz-user: its key metadata is damaged");
    }
    ObjectMetadata parsed = parse(object, metadata);
    KeyBinding binding =
        parsed instanceof ObjectMetadata.V2 v2
            ? KeyBinding.domain(v2.domain())
            : KeyBinding.user(parsed.user());
    WrappedKey fresh = rewrap.apply(parsed.wrappedKey(), binding);
    Map<String, String> replaced = new HashMap<>(metadata);
    replaced.put(ObjectFormat.META_KEY, fresh.text());
    replaced.put(ObjectFormat.META_KEY_REF, fresh.ref());
    replaceMetadata(object, head, replaced, what, "rewrap", "rewrapped");
    return Outcome.REWRAPPED;
  }

  /**
   * Rewraps the key in {@code user}'s key record unless it already is under {@code currentRef},
   * with the record's binding (v1: the user, v2: the key domain); a v2 record's MAC does not cover
   * the wrapped key, so it stays valid. The write is conditional on the record being unchanged
   * since it was read, so a key rotated meanwhile is never replaced by the older key.
   */
  public Outcome rewrapRecord(String user, String currentRef, Rewrap rewrap)
      throws StoreException, KeyServiceException, InterruptedException {
    Optional<S3KeyRecords.Versioned> found;
    try {
      found = records.readVersioned(user);
    } catch (StoreException e) {
      throw e;
    } catch (IOException e) {
      // Damaged: a rewrap cannot mend it.
      throw new StoreException(Reason.INTEGRITY, e.getMessage(), e);
    }
    if (found.isEmpty()) {
      throw new StoreException(Reason.NOT_FOUND, "the key record of " + user + " is gone");
    }
    S3KeyRecords.Versioned stored = found.get();
    if (currentRef.equals(stored.record().key().ref())) {
      return Outcome.ALREADY_CURRENT;
    }
    WrappedKey fresh = rewrap.apply(stored.record().key(), stored.record().binding());
    try {
      records.replaceIfUnchanged(stored.record().withKey(fresh), stored.eTag());
    } catch (StoreException e) {
      throw e;
    } catch (IOException e) {
      throw new StoreException(Reason.STORAGE_UNAVAILABLE, e.getMessage(), e);
    }
    return Outcome.REWRAPPED;
  }

  /**
   * Converts a format v1 object to format v2 in place: its key unwrapped for its owner ({@code
   * dz-user}) and wrapped for the owner's home by {@code rebind}, its identity tagged for its path
   * below that home, epoch 0, its Last-Modified as modification time, its header read with one
   * ranged GET of 40 bytes. Conditional on its ETag like {@link #rewrap}; safe to repeat.
   *
   * @param homeOf the home of a user, as a relative key path ({@code users/alice})
   */
  public Upgrade upgrade(StoredObject object, Function<String, String> homeOf, Rebind rebind)
      throws StoreException, KeyServiceException, InterruptedException {
    String what = "upgrade " + object.key();
    HeadObjectResponse head = head(object, what);
    Map<String, String> metadata = head.metadata();
    if (!metadata.containsKey(ObjectFormat.META_FORMAT)) {
      return Upgrade.NOT_ENCRYPTED;
    }
    ObjectMetadata parsed = parse(object, metadata);
    if (!(parsed instanceof ObjectMetadata.V1 v1)) {
      return Upgrade.ALREADY_V2;
    }
    String domain = homeOf.apply(v1.user());
    String homeKey = settings.key(domain) + "/";
    if (!object.key().startsWith(homeKey)) {
      return Upgrade.NOT_IN_OWNERS_HOME;
    }
    String path = object.key().substring(homeKey.length());
    byte[] header = header(object, head.eTag(), what);
    Rebound rebound = rebind.apply(v1.wrappedKey(), v1.user(), domain);
    ObjectIdentity identity =
        new ObjectIdentity(domain, path, header, 0, head.lastModified().toEpochMilli());
    ObjectMetadata.V2 upgraded =
        ObjectMetadata.V2.of(rebound.wrapped(), v1.user(), rebound.key(), identity, null);
    replaceMetadata(object, head, upgraded.over(metadata), what, "upgrade", "upgraded");
    return Upgrade.UPGRADED;
  }

  private HeadObjectResponse head(StoredObject object, String what) throws StoreException {
    try {
      return s3.headObject(b -> b.bucket(settings.bucket()).key(object.key()));
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
  }

  /** The body's first 40 bytes, from the version whose metadata was read. */
  private byte[] header(StoredObject object, String eTag, String what) throws StoreException {
    byte[] header;
    try {
      // Only the header, even from a server that ignores the range: files can be gigabytes.
      header =
          ObjectPrefix.read(
                  s3,
                  GetObjectRequest.builder()
                      .bucket(settings.bucket())
                      .key(object.key())
                      .range("bytes=0-" + (ObjectFormat.HEADER - 1))
                      .ifMatch(eTag)
                      .build(),
                  ObjectFormat.HEADER)
              .bytes();
      header = Arrays.copyOf(header, Math.min(header.length, ObjectFormat.HEADER));
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
    try {
      return ObjectHeader.check(header);
    } catch (IllegalArgumentException e) {
      throw new StoreException(
          Reason.INTEGRITY, object.key() + " does not start with a body header: it is damaged", e);
    }
  }

  private static ObjectMetadata parse(StoredObject object, Map<String, String> metadata)
      throws StoreException {
    try {
      return ObjectMetadata.parse(metadata);
    } catch (FormatException e) {
      throw new StoreException(
          Reason.INTEGRITY, object.key() + ": " + e.getMessage() + "; its metadata is damaged", e);
    }
  }

  private void replaceMetadata(
      StoredObject object,
      HeadObjectResponse head,
      Map<String, String> metadata,
      String what,
      String command,
      String done)
      throws StoreException {
    try {
      copier.replaceMetadata(
          object.key(),
          head.contentLength(),
          new ObjectCopier.Replacement(metadata, head.contentType(), head.eTag()),
          what);
    } catch (StoreException e) {
      if (ObjectCopier.sourceChanged(e)) {
        throw new StoreException(
            Reason.PARTIAL,
            object.key()
                + " changed while it was "
                + done
                + "; run "
                + command
                + " again to pick it up",
            e);
      }
      throw e;
    }
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
