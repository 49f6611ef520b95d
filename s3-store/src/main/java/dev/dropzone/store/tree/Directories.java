package dev.dropzone.store.tree;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Errors;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Directories of one home: whether one exists, when it changed, and its marker object {@code
 * <dir>/}. S3 has no directories, and servers represent the markers that stand in for them in
 * different ways, all of which are accepted here:
 *
 * <ul>
 *   <li>AWS, Ceph and S3Proxy's in-memory store list a marker under its own prefix; listings of the
 *       parent show it as a common prefix (AWS) or as an object (S3Proxy);
 *   <li>MinIO and S3Proxy's filesystem stores keep markers as real directories: a listing of {@code
 *       dir/} leaves the marker out, so only a HEAD of {@code dir/} finds an empty one; some answer
 *       a HEAD of {@code dir} (no slash) too, or list every directory as an object;
 *   <li>a listing may return the listed prefix itself as a common prefix.
 * </ul>
 *
 * So existence is "anything below it, or a marker a HEAD finds", and a directory's time is its
 * marker's, else its newest entry's.
 *
 * <p>A directory that loses its last entry through Dropzone keeps existing (see {@link
 * #keepWhileRemoving}): without a marker, S3 would drop it with its last key, and the filesystem
 * stores remove the emptied directories above a deleted key themselves.
 */
final class Directories {

  private static final Logger LOG = LoggerFactory.getLogger(Directories.class);

  /** Content type of the marker objects, as other S3 tools write them. */
  static final String MARKER_TYPE = "application/x-directory";

  private final S3Client s3;
  private final String bucket;
  private final HomeKeySpace space;
  private final int pageSize;

  Directories(S3Client s3, String bucket, HomeKeySpace space, int pageSize) {
    this.s3 = s3;
    this.bucket = bucket;
    this.space = space;
    this.pageSize = pageSize;
  }

  /** Whether {@code dir} exists; the home always does. One LIST, plus a HEAD when it is empty. */
  boolean exists(VirtualPath dir) throws StoreException {
    return dir.isRoot() || hasEntries(dir) || hasMarker(dir);
  }

  /** Whether any key lies below {@code dir} (its marker included, where the server lists it). */
  boolean hasEntries(VirtualPath dir) throws StoreException {
    return !firstBelow(dir, 1).isEmpty();
  }

  /** Whether a HEAD finds {@code dir}'s marker. */
  boolean hasMarker(VirtualPath dir) throws StoreException {
    return markerTime(dir).isPresent();
  }

  /**
   * The time of {@code dir} if it exists: its marker's, else that of the newest key among the first
   * page below it (the epoch when the server gives no times). The home always exists.
   */
  Optional<Instant> describe(VirtualPath dir) throws StoreException {
    Optional<Instant> marker = markerTime(dir);
    if (marker.isPresent()) {
      return marker;
    }
    List<S3Object> below = firstBelow(dir, pageSize);
    if (below.isEmpty()) {
      return dir.isRoot() ? Optional.of(Instant.EPOCH) : Optional.empty();
    }
    return Optional.of(newest(below));
  }

  /** What {@link S3FileTree#rmdir} needs to know. */
  enum Contents {
    MISSING,
    EMPTY,
    NOT_EMPTY
  }

  Contents contents(VirtualPath dir) throws StoreException {
    String marker = space.prefix(dir);
    List<S3Object> below = firstBelow(dir, 2);
    if (below.stream().anyMatch(object -> !object.key().equals(marker))) {
      return Contents.NOT_EMPTY;
    }
    if (!below.isEmpty() || markerTime(dir).isPresent()) {
      return Contents.EMPTY;
    }
    return Contents.MISSING;
  }

  /**
   * Called before {@code entry} (a file, or a directory with everything below it) is removed from
   * its parent: if nothing else visibly keeps the parent in existence, its marker is written first,
   * so removing the entry never removes the directory it was in. Rewriting a marker the server hid
   * from the listing is harmless.
   */
  void keepWhileRemoving(VirtualPath entry) throws StoreException {
    VirtualPath parent = entry.parent();
    if (parent.isRoot()) {
      return;
    }
    String prefix = space.prefix(parent);
    String file = prefix + entry.name();
    String subdirectory = file + "/";
    ListObjectsV2Response page;
    try {
      // The entry shows as at most two items (an object and a common prefix), the parent's own
      // marker as one: a fourth item, or more behind them, is another entry.
      page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).delimiter("/").maxKeys(4));
    } catch (SdkException e) {
      throw S3Errors.map(e, "look up " + parent);
    }
    boolean kept =
        Boolean.TRUE.equals(page.isTruncated())
            || page.contents().stream()
                .map(S3Object::key)
                .anyMatch(
                    key -> key.equals(prefix) || !key.equals(file) && !key.startsWith(subdirectory))
            || page.commonPrefixes().stream()
                .map(CommonPrefix::prefix)
                .anyMatch(p -> p.length() > prefix.length() && !p.equals(subdirectory));
    if (!kept) {
      LOG.debug("Writing the marker of {} so it outlives its last entry {}", parent, entry);
      createMarker(parent);
    }
  }

  /** Writes the marker of {@code dir} (again, if it exists). */
  void createMarker(VirtualPath dir) throws StoreException {
    writeMarker(space.marker(dir), "create directory " + dir);
  }

  /** Removes the marker of {@code dir}; nothing happens if there is none. */
  void removeMarker(VirtualPath dir) throws StoreException {
    deleteMarker(space.prefix(dir), "remove directory " + dir);
  }

  /** Writes the marker object {@code key} (ending in '/'); {@code what} is for messages. */
  void writeMarker(String key, String what) throws StoreException {
    try {
      s3.putObject(b -> b.bucket(bucket).key(key).contentType(MARKER_TYPE), RequestBody.empty());
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
  }

  /** Deletes the marker object {@code key}; {@code what} is for messages. */
  void deleteMarker(String key, String what) throws StoreException {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
  }

  /**
   * The time of {@code dir}'s marker, found by HEAD (which every server answers for a marker). Only
   * an empty object counts: some servers answer {@code file/} with the file {@code file}.
   */
  private Optional<Instant> markerTime(VirtualPath dir) throws StoreException {
    String marker = space.prefix(dir);
    HeadObjectResponse head;
    try {
      head = s3.headObject(b -> b.bucket(bucket).key(marker));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw S3Errors.map(e, "look up " + dir);
    } catch (SdkException e) {
      throw S3Errors.map(e, "look up " + dir);
    }
    if (head.contentLength() != null && head.contentLength() > 0) {
      return Optional.empty();
    }
    return Optional.of(Objects.requireNonNullElse(head.lastModified(), Instant.EPOCH));
  }

  /** The first {@code max} keys at any depth below {@code dir}. */
  private List<S3Object> firstBelow(VirtualPath dir, int max) throws StoreException {
    String prefix = space.prefix(dir);
    try {
      return s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(max)).contents();
    } catch (SdkException e) {
      throw S3Errors.map(e, "look up " + dir);
    }
  }

  private static Instant newest(List<S3Object> objects) {
    return objects.stream()
        .map(S3Object::lastModified)
        .filter(Objects::nonNull)
        .max(Instant::compareTo)
        .orElse(Instant.EPOCH);
  }
}
