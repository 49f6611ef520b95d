package dev.dropzone.store.tree;

import dev.dropzone.kek.DataKeys;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.transfer.ObjectTransfers;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A user's tree over the S3 keys under {@code homeKey}: a file is an object, a directory is a
 * common prefix or a zero-byte marker object {@code <dir>/}. Sizes come from object lengths (format
 * v1 arithmetic), so nothing here reads object bodies or calls the key service; reading and writing
 * contents is delegated to {@link ObjectTransfers}.
 *
 * <p>{@link #stat} asks HEAD first and only then lists for a directory: clients stat files far more
 * often than directories (SIZE, MDTM, before RETR and STOR), HEAD is S3's cheapest request class,
 * and a single LIST on the bare name cannot always answer both (siblings such as {@code name.txt}
 * sort between {@code name} and {@code name/}).
 *
 * <p>{@link #list} fails while paging (after the first page) with an {@link
 * java.io.UncheckedIOException} wrapping a {@link StoreException}.
 *
 * <p>Thread-safe: it holds no mutable state, so one tree may serve a session's concurrent
 * transfers.
 */
public final class S3FileTree implements FileTree {

  private static final Logger LOG = LoggerFactory.getLogger(S3FileTree.class);

  /** ListObjectsV2 returns at most this many entries per page. */
  private static final int MAX_PAGE_SIZE = 1000;

  private final S3Client s3;
  private final String bucket;
  private final HomeKeySpace space;
  private final String user;
  private final DataKeys keys;
  private final ObjectTransfers transfers;
  private final TreeRequests requests;
  private final ObjectCopier copier;
  private final int pageSize;
  private final KnownDirectories knownDirectories;

  public S3FileTree(
      S3Client s3,
      S3Settings settings,
      String homeKey,
      String user,
      DataKeys keys,
      ObjectTransfers transfers,
      TreeRequests requests) {
    this(
        s3,
        settings,
        homeKey,
        user,
        keys,
        transfers,
        requests,
        ObjectCopier.Limits.S3,
        MAX_PAGE_SIZE);
  }

  /**
   * With other multipart-copy limits and listing page size, so tests can exercise UploadPartCopy
   * and paging on a few small objects.
   */
  S3FileTree(
      S3Client s3,
      S3Settings settings,
      String homeKey,
      String user,
      DataKeys keys,
      ObjectTransfers transfers,
      TreeRequests requests,
      ObjectCopier.Limits copyLimits,
      int pageSize) {
    this.s3 = s3;
    this.bucket = settings.bucket();
    this.space = new HomeKeySpace(homeKey, settings.key(VirtualPath.RESERVED));
    this.user = user;
    this.keys = keys;
    this.transfers = transfers;
    this.requests = requests;
    this.copier = new ObjectCopier(s3, bucket, copyLimits);
    this.pageSize = pageSize;
    this.knownDirectories = new KnownDirectories();
  }

  @Override
  public FileInfo stat(VirtualPath path) throws IOException {
    if (path.isRoot()) {
      return new FileInfo(path, true, 0, Instant.EPOCH);
    }
    Optional<HeadObjectResponse> file = head(path);
    if (file.isPresent()) {
      HeadObjectResponse head = file.get();
      return new FileInfo(path, false, ListedSize.of(head.contentLength()), head.lastModified());
    }
    return directory(path).orElseThrow(() -> notFound(path));
  }

  @Override
  public Stream<FileInfo> list(VirtualPath dir) throws IOException {
    LOG.debug("Listing {} of {}", dir, user);
    DirectoryListing listing =
        DirectoryListing.open(s3, bucket, space.prefix(dir), dir, pageSize, requests);
    if (!dir.isRoot() && !listing.exists()) {
      if (head(dir).isPresent()) {
        throw new StoreException(Reason.NOT_A_DIRECTORY, "Not a directory: " + dir);
      }
      throw notFound(dir);
    }
    return listing.stream();
  }

  @Override
  public InputStream openRead(VirtualPath file, long offset) throws IOException {
    if (file.isRoot()) {
      throw isADirectory(file);
    }
    LOG.debug("Reading {} of {} from offset {}", file, user, offset);
    try {
      return transfers.openRead(space.key(file), keys, offset);
    } catch (StoreException e) {
      // Checked only on failure, so a successful read costs no extra request.
      if (e.reason() == Reason.NOT_FOUND && directory(file).isPresent()) {
        throw isADirectory(file);
      }
      throw e;
    }
  }

  /**
   * A new file ({@code offset == 0}) is checked (not a directory: one LIST; parent exists: one more
   * outside the home's top level) on {@link TreeRequests}' threads while its data already streams,
   * and becomes visible only if the checks passed (see {@link CheckedUpload}): no LIST stands
   * between the command and the first byte. Resuming checks first, since it reads the existing
   * object before any data streams anyway.
   */
  @Override
  public Upload openWrite(VirtualPath file, long offset) throws IOException {
    if (file.isRoot()) {
      throw isADirectory(file);
    }
    String key = space.key(file);
    LOG.debug("Writing {} of {} from offset {}", file, user, offset);
    if (offset > 0) {
      requireWritable(file);
      return transfers.openWrite(key, user, keys, offset);
    }
    // The two LISTs are independent: run side by side, they cost one round trip, not two.
    CompletableFuture<Void> checked =
        requests
            .start(() -> requireNotADirectory(file))
            .thenCombine(parentCheck(file), (a, b) -> a);
    return CheckedUpload.open(file, checked, () -> transfers.openWrite(key, user, keys, 0));
  }

  @Override
  public void delete(VirtualPath file) throws IOException {
    if (file.isRoot()) {
      throw isADirectory(file);
    }
    String key = space.key(file);
    if (head(file).isEmpty()) {
      throw directory(file).isPresent() ? isADirectory(file) : notFound(file);
    }
    LOG.debug("Deleting {} of {}", file, user);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw S3Errors.map(e, "delete " + file);
    }
    // A directory without a marker ends with its last file.
    knownDirectories.forget(file.parent());
  }

  @Override
  public void mkdir(VirtualPath dir) throws IOException {
    if (dir.isRoot()) {
      throw alreadyExists(dir);
    }
    String marker = space.marker(dir);
    if (head(dir).isPresent() || directory(dir).isPresent()) {
      throw alreadyExists(dir);
    }
    requireParent(dir, "create directory");
    LOG.debug("Creating directory {} of {}", dir, user);
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(marker).contentType("application/x-directory"),
          RequestBody.empty());
    } catch (SdkException e) {
      throw S3Errors.map(e, "create directory " + dir);
    }
    knownDirectories.seen(dir, knownDirectories.mark());
  }

  @Override
  public void rmdir(VirtualPath dir) throws IOException {
    if (dir.isRoot()) {
      throw new StoreException(Reason.ACCESS_DENIED, "The home directory cannot be removed");
    }
    String marker = space.prefix(dir);
    List<S3Object> below = firstBelow(dir, 2);
    if (below.isEmpty()) {
      if (head(dir).isPresent()) {
        throw new StoreException(Reason.NOT_A_DIRECTORY, "Not a directory: " + dir);
      }
      throw notFound(dir);
    }
    if (below.size() > 1 || !below.get(0).key().equals(marker)) {
      throw new StoreException(Reason.NOT_EMPTY, "Directory not empty: " + dir);
    }
    LOG.debug("Removing directory {} of {}", dir, user);
    knownDirectories.forget(dir);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(marker));
    } catch (SdkException e) {
      throw S3Errors.map(e, "remove directory " + dir);
    } finally {
      knownDirectories.forget(dir);
    }
  }

  @Override
  public void rename(VirtualPath from, VirtualPath to) throws IOException {
    if (from.isRoot()) {
      throw new StoreException(Reason.ACCESS_DENIED, "The home directory cannot be renamed");
    }
    if (to.isRoot()) {
      throw alreadyExists(to);
    }
    Optional<HeadObjectResponse> file = head(from);
    if (file.isPresent()) {
      renameFile(from, to, file.get().contentLength());
    } else if (directory(from).isPresent()) {
      renameDirectory(from, to);
    } else {
      throw notFound(from);
    }
  }

  private void renameFile(VirtualPath from, VirtualPath to, long size) throws IOException {
    if (from.equals(to)) {
      return;
    }
    String source = space.key(from);
    String target = space.key(to);
    if (directory(to).isPresent()) {
      throw alreadyExists(to);
    }
    requireParent(to, "rename to");
    LOG.debug("Renaming file {} to {} of {}", from, to, user);
    String what = "rename " + from + " to " + to;
    // Over an existing file the copy replaces it, as RNTO expects.
    copier.copy(source, target, size, what);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(source));
    } catch (SdkException e) {
      StoreException cause = S3Errors.map(e, what);
      LOG.warn(
          "Rename of {} to {} copied the file but left the source: {}", from, to, e.toString());
      throw new StoreException(
          Reason.PARTIAL,
          "Copied "
              + from
              + " to "
              + to
              + " but could not remove "
              + from
              + " (delete it to finish the rename): "
              + cause.getMessage(),
          cause);
    }
    // A directory without a marker ends with its last file.
    knownDirectories.forget(from.parent());
  }

  private void renameDirectory(VirtualPath from, VirtualPath to) throws IOException {
    if (from.contains(to)) {
      throw new StoreException(
          Reason.INVALID_PATH, "Cannot move directory " + from + " into itself (" + to + ")");
    }
    if (head(to).isPresent() || directory(to).isPresent()) {
      throw alreadyExists(to);
    }
    requireParent(to, "rename to");
    LOG.debug("Renaming directory {} to {} of {}", from, to, user);
    knownDirectories.forget(from);
    new DirectoryMove(s3, bucket, copier, space, pageSize).run(from, to);
  }

  /** The file object at {@code path}, if there is one. */
  private Optional<HeadObjectResponse> head(VirtualPath path) throws StoreException {
    String key = space.key(path);
    try {
      return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw S3Errors.map(e, "look up " + path);
    } catch (SdkException e) {
      throw S3Errors.map(e, "look up " + path);
    }
  }

  /**
   * {@code dir} as a directory, if it has a marker or anything below it; its time is the marker's,
   * or unknown (the epoch) for a directory that exists only as a prefix.
   */
  private Optional<FileInfo> directory(VirtualPath dir) throws StoreException {
    List<S3Object> below = firstBelow(dir, 1);
    if (below.isEmpty()) {
      return Optional.empty();
    }
    S3Object first = below.get(0);
    Instant time = first.key().equals(space.prefix(dir)) ? first.lastModified() : Instant.EPOCH;
    return Optional.of(new FileInfo(dir, true, 0, time));
  }

  /** The first {@code max} objects at any depth below {@code dir}, its marker sorting first. */
  private List<S3Object> firstBelow(VirtualPath dir, int max) throws StoreException {
    String prefix = space.prefix(dir);
    try {
      return s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(max)).contents();
    } catch (SdkException e) {
      throw S3Errors.map(e, "look up " + dir);
    }
  }

  /** A file may be written at {@code file}: it is no directory, and its parent exists. */
  /** The parent's existence check, or none when this tree saw the parent a moment ago. */
  private CompletableFuture<Void> parentCheck(VirtualPath file) throws StoreException {
    VirtualPath parent = file.parent();
    if (parent.isRoot() || knownDirectories.recentlySeen(parent)) {
      return CompletableFuture.completedFuture(null);
    }
    long mark = knownDirectories.mark();
    return requests.start(
        () -> {
          requireParent(file, "store");
          knownDirectories.seen(parent, mark);
        });
  }

  private void requireNotADirectory(VirtualPath file) throws StoreException {
    if (directory(file).isPresent()) {
      throw isADirectory(file);
    }
  }

  private void requireWritable(VirtualPath file) throws StoreException {
    if (directory(file).isPresent()) {
      throw isADirectory(file);
    }
    requireParent(file, "store");
  }

  private void requireParent(VirtualPath path, String action) throws StoreException {
    VirtualPath parent = path.parent();
    if (!parent.isRoot() && directory(parent).isEmpty()) {
      throw new StoreException(
          Reason.NOT_FOUND,
          "Cannot " + action + " " + path + ": parent directory " + parent + " does not exist");
    }
  }

  private static StoreException notFound(VirtualPath path) {
    return new StoreException(Reason.NOT_FOUND, "No such file or directory: " + path);
  }

  private static StoreException alreadyExists(VirtualPath path) {
    return new StoreException(Reason.ALREADY_EXISTS, "Already exists: " + path);
  }

  private static StoreException isADirectory(VirtualPath path) {
    return new StoreException(Reason.NOT_A_FILE, "Is a directory, not a file: " + path);
  }
}
