package dev.dropzone.store.tree;

import dev.dropzone.store.FileDigests;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.ModificationTimes;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.StorageDeadline;
import dev.dropzone.store.s3.StoredVersion;
import dev.dropzone.store.transfer.CommitListener.Committed;
import dev.dropzone.store.transfer.ObjectTransfers;
import dev.dropzone.store.transfer.SessionKeys;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A user's tree over the S3 keys under {@code homeKey}: a file is an object, a directory is a
 * common prefix or a zero-byte marker object {@code <dir>/} (see {@link Directories} for the ways
 * servers represent those). Sizes come from object lengths (the format's arithmetic), so listing,
 * stat and delete never read object bodies or call the key service; reading and writing contents is
 * delegated to {@link ObjectTransfers}. A rename copies objects on the server and gives each v2
 * object a new identity tag for its new path, which needs its data key (normally cached).
 *
 * <p>{@link #stat} asks HEAD first and only then looks for a directory: clients stat files far more
 * often than directories (SIZE, MDTM, before RETR and STOR), HEAD is S3's cheapest request class,
 * and a single LIST on the bare name cannot always answer both (siblings such as {@code name.txt}
 * sort between {@code name} and {@code name/}).
 *
 * <p>Removing an entry never removes the directory it was in (see {@link
 * Directories#keepWhileRemoving}).
 *
 * <p>{@link #list} fails while paging (after the first page) with an {@link
 * java.io.UncheckedIOException} wrapping a {@link StoreException}.
 *
 * <p>Thread-safe: it holds no mutable state, so one tree may serve a session's concurrent
 * transfers.
 */
public final class S3FileTree implements FileTree, FileDigests, ModificationTimes {

  private static final Logger LOG = LoggerFactory.getLogger(S3FileTree.class);

  /** ListObjectsV2 returns at most this many entries per page. */
  private static final int MAX_PAGE_SIZE = 1000;

  private final S3Client s3;
  private final String bucket;
  private final HomeKeySpace space;
  private final String user;
  private final SessionKeys session;
  private final ObjectTransfers transfers;
  private final TreeRequests requests;
  private final KeptTimes keptTimes;
  private final ObjectCopier copier;
  private final int pageSize;
  private final Directories directories;
  private final KnownDirectories knownDirectories;
  private final Duration commandDeadline;

  public S3FileTree(
      S3Client s3,
      S3Settings settings,
      String homeKey,
      SessionKeys session,
      ObjectTransfers transfers,
      TreeRequests requests) {
    this(
        s3,
        settings,
        homeKey,
        session,
        transfers,
        requests,
        new ObjectCopier.Limits(settings.copyMultipartAbove(), settings.copyPartSize()),
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
      SessionKeys session,
      ObjectTransfers transfers,
      TreeRequests requests,
      ObjectCopier.Limits copyLimits,
      int pageSize) {
    this.s3 = s3;
    this.bucket = settings.bucket();
    this.space =
        new HomeKeySpace(homeKey, settings.key(VirtualPath.RESERVED), settings.maxNameBytes());
    this.keptTimes = new KeptTimes(s3, bucket, settings.key(VirtualPath.RESERVED));
    this.user = session.owner().user();
    this.session = session;
    this.transfers = transfers;
    this.requests = requests;
    this.copier = new ObjectCopier(s3, bucket, copyLimits, this::retag);
    this.pageSize = pageSize;
    this.directories = new Directories(s3, bucket, space, pageSize);
    this.knownDirectories = requests.directories();
    this.commandDeadline = settings.commandDeadline();
  }

  @Override
  public FileInfo stat(VirtualPath path) throws IOException {
    if (path.isRoot()) {
      return new FileInfo(path, true, 0, directories.describe(path).orElse(Instant.EPOCH));
    }
    Optional<StoredEntry> object = head(path);
    if (object.isPresent() && !object.get().directoryLike()) {
      return object.get().info(path);
    }
    Optional<Instant> directory = directories.describe(path);
    if (directory.isPresent()) {
      return new FileInfo(path, true, 0, directory.get());
    }
    // A zero-byte "directory" object another tool left, with nothing below it: listed as a file.
    return object.map(o -> o.info(path)).orElseThrow(() -> notFound(path));
  }

  /** One LIST, and a HEAD of the marker when nothing is listed below: never a HEAD of a file. */
  @Override
  public boolean isDirectory(VirtualPath path) throws IOException {
    return directories.exists(path);
  }

  /**
   * One LIST request for a directory with entries; one HEAD more for an empty one (whose marker
   * some servers leave out of listings), and for a missing one a HEAD to tell "not a directory"
   * from "not found".
   */
  @Override
  public Stream<FileInfo> list(VirtualPath dir) throws IOException {
    return listing(dir).stream(true);
  }

  /**
   * As {@link #list}, with the listed times: no HEAD for a file's recorded time, none for an
   * undated subdirectory's.
   */
  @Override
  public Stream<FileInfo> listWithoutTimes(VirtualPath dir) throws IOException {
    return listing(dir).stream(false);
  }

  private DirectoryListing listing(VirtualPath dir) throws IOException {
    LOG.debug("Listing {} of {}", dir, user);
    DirectoryListing listing =
        DirectoryListing.open(
            s3,
            bucket,
            space.prefix(dir),
            dir,
            pageSize,
            directories,
            requests,
            keptTimes,
            commandDeadline);
    if (!dir.isRoot() && !listing.showedSomething() && !directories.exists(dir)) {
      if (isFile(dir)) {
        throw new StoreException(Reason.NOT_A_DIRECTORY, "Not a directory: " + dir);
      }
      throw notFound(dir);
    }
    return listing;
  }

  @Override
  public InputStream openRead(VirtualPath file, long offset) throws IOException {
    if (file.isRoot()) {
      throw isADirectory(file);
    }
    LOG.debug("Reading {} of {} from offset {}", file, user, offset);
    try {
      return transfers.openRead(space.key(file), file.relative(), session, offset);
    } catch (StoreException e) {
      // Checked only on failure, so a successful read costs no extra request. Some servers
      // answer a directory's name with an empty object, which fails as not Dropzone's.
      if ((e.reason() == Reason.NOT_FOUND || e.reason() == Reason.INTEGRITY)
          && directories.exists(file)) {
        throw isADirectory(file);
      }
      throw e;
    }
  }

  /**
   * A new file ({@code offset == 0}) needs its parent to exist and its name not to be a directory.
   * Where this gateway listed or created the parent a moment ago ({@link KnownDirectories}) that is
   * known without a request; otherwise the parent's first page is listed (which answers for the
   * next files too) beside a HEAD of a marker at the file's name, on {@link TreeRequests}' threads
   * while the data already streams. The file becomes visible only if the checks passed (see {@link
   * CheckedUpload}): no request stands between the command and the first byte, and a small file
   * costs its PutObject alone. Resuming checks first, since it reads the existing object before any
   * data streams anyway.
   */
  @Override
  public Upload openWrite(VirtualPath file, long offset) throws IOException {
    if (file.isRoot()) {
      throw isADirectory(file);
    }
    // Resuming or appending needs the object to exist, so its name is one the store holds.
    if (offset == 0) {
      space.newName(file);
    }
    String key = space.key(file);
    LOG.debug("Writing {} of {} from offset {}", file, user, offset);
    if (offset > 0) {
      requireNotADirectory(file);
      requireParent(file, "store");
      return transfers.openWrite(key, file.relative(), session, offset, this::committed);
    }
    Optional<Boolean> known =
        knownDirectories.isSubdirectory(space.prefix(file.parent()), file.name());
    if (known.isPresent()) {
      if (known.get()) {
        throw isADirectory(file);
      }
      return transfers.openWrite(key, file.relative(), session, 0, this::committed);
    }
    return CheckedUpload.open(
        file,
        checks(file),
        () -> transfers.openWrite(key, file.relative(), session, 0, this::committed));
  }

  /**
   * This tree stored an object (an upload, a time set): later listings know its time, and a time
   * set right after needs no HEAD to find it.
   */
  private void committed(Committed committed) {
    requests.times().written(committed.key(), committed.version(), committed.recordedTime());
    requests.recentWrites().remember(committed);
  }

  @Override
  public void delete(VirtualPath file) throws IOException {
    if (file.isRoot()) {
      throw isADirectory(file);
    }
    String key = space.key(file);
    Optional<StoredEntry> object = head(file);
    if (!isFile(object, file)) {
      throw directories.exists(file) ? isADirectory(file) : notFound(file);
    }
    LOG.debug("Deleting {} of {}", file, user);
    requests.recentWrites().forget(key);
    directories.keepWhileRemoving(file);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw S3Errors.map(e, "delete " + file);
    }
    transfers.forgetCompanions(object.get().metadata());
  }

  @Override
  public Optional<byte[]> digest(VirtualPath file) throws IOException {
    if (file.isRoot()) {
      throw isADirectory(file);
    }
    return transfers.digest(space.key(file), file.relative(), session);
  }

  @Override
  public void setModified(VirtualPath file, Instant time) throws IOException {
    if (file.isRoot()) {
      throw isADirectory(file);
    }
    String key = space.key(file);
    Optional<Committed> recent = requests.recentWrites().get(key);
    if (recent.isPresent()) {
      try {
        setModified(file, key, StoredEntry.of(recent.get()), time);
        return;
      } catch (StoreException e) {
        if (!ObjectCopier.sourceChanged(e) && e.reason() != Reason.NOT_FOUND) {
          throw e;
        }
        // Changed or removed since this gateway wrote it: look it up as it is now.
        requests.recentWrites().forget(key);
      }
    }
    Optional<StoredEntry> object = head(file);
    if (!isFile(object, file)) {
      throw directories.exists(file) ? isADirectory(file) : notFound(file);
    }
    setModified(file, key, object.get(), time);
  }

  /**
   * Rewrites the metadata of {@code entry}, the object at {@code key}, with {@code time}; the copy
   * is conditional on the entry's ETag.
   */
  private void setModified(VirtualPath file, String key, StoredEntry entry, Instant time)
      throws StoreException {
    Map<String, String> metadata =
        transfers
            .identities()
            .modified(key, entry.metadata(), file.relative(), time.toEpochMilli(), session);
    LOG.debug("Setting the time of {} of {} to {}", file, user, time);
    requests.times().forget(key);
    Optional<StoredVersion> stored =
        copier.replaceMetadata(
            key,
            entry.size(),
            new ObjectCopier.Replacement(metadata, entry.contentType(), entry.eTag()),
            "set the time of " + file);
    if (stored.isPresent()) {
      committed(
          new Committed(key, stored.get(), time, entry.size(), metadata, entry.contentType()));
    }
  }

  /** The metadata an object moved from {@code source} to {@code target} gets (see ObjectCopier). */
  private Map<String, String> retag(String source, String target, Map<String, String> metadata)
      throws StoreException {
    return transfers.moved(source, metadata, relative(source), relative(target), session);
  }

  /** The path below the home of a key inside it, without the leading '/'. */
  private String relative(String key) {
    return space.display(key).substring(1);
  }

  @Override
  public void mkdir(VirtualPath dir) throws IOException {
    if (dir.isRoot()) {
      throw alreadyExists(dir);
    }
    space.newName(dir);
    // A name too long for its marker is refused as such, not as "does not exist".
    space.marker(dir);
    long mark = knownDirectories.mark();
    if (head(dir).isPresent() || directories.exists(dir)) {
      throw alreadyExists(dir);
    }
    requireParent(dir, "create directory");
    LOG.debug("Creating directory {} of {}", dir, user);
    directories.createMarker(dir);
    knownDirectories.created(space.prefix(dir.parent()), dir.name(), mark);
  }

  @Override
  public void rmdir(VirtualPath dir) throws IOException {
    if (dir.isRoot()) {
      throw new StoreException(Reason.ACCESS_DENIED, "The home directory cannot be removed");
    }
    switch (directories.contents(dir)) {
      case NOT_EMPTY -> throw new StoreException(Reason.NOT_EMPTY, "Directory not empty: " + dir);
      case MISSING ->
          throw isFile(dir)
              ? new StoreException(Reason.NOT_A_DIRECTORY, "Not a directory: " + dir)
              : notFound(dir);
      case EMPTY -> {}
    }
    LOG.debug("Removing directory {} of {}", dir, user);
    knownDirectories.forget(space.prefix(dir));
    try {
      directories.keepWhileRemoving(dir);
      directories.removeMarker(dir);
      keptTimes.forget(space.prefix(dir));
    } finally {
      knownDirectories.forget(space.prefix(dir));
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
    // Moving to another directory under the same name keeps a name the store already holds.
    if (!to.name().equals(from.name())) {
      space.newName(to);
    }
    Optional<StoredEntry> file = head(from);
    if (file.isPresent() && !file.get().directoryLike()) {
      renameFile(from, to, file.get().size());
    } else if (directories.exists(from)) {
      renameDirectory(from, to);
    } else if (file.isPresent()) {
      renameFile(from, to, file.get().size());
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
    if (directories.exists(to)) {
      throw alreadyExists(to);
    }
    requireParent(to, "rename to");
    LOG.debug("Renaming file {} to {} of {}", from, to, user);
    String what = "rename " + from + " to " + to;
    requests.recentWrites().forget(source);
    requests.recentWrites().forget(target);
    // Over an existing file the copy replaces it, as RNTO expects.
    String copied = copier.copy(source, target, size, what);
    directories.keepWhileRemoving(from);
    try {
      if (!copier.deleteIfUnchanged(source, copied)) {
        LOG.info(
            "Renamed {} to {} of {}; a new upload replaced {} while it was copied and stays there",
            from,
            to,
            user,
            from);
      }
    } catch (SdkException e) {
      StoreException cause = S3Errors.map(e, what);
      // DEBUG: the exception below carries this to the command, which logs it once.
      LOG.debug(
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
  }

  private void renameDirectory(VirtualPath from, VirtualPath to) throws IOException {
    if (from.contains(to)) {
      throw new StoreException(
          Reason.INVALID_PATH, "Cannot move directory " + from + " into itself (" + to + ")");
    }
    if (head(to).isPresent() || directories.exists(to)) {
      throw alreadyExists(to);
    }
    requireParent(to, "rename to");
    LOG.debug("Renaming directory {} to {} of {}", from, to, user);
    forgetBoth(from, to);
    Set<String> movedAway;
    try {
      directories.keepWhileRemoving(from);
      movedAway =
          new DirectoryMove(s3, bucket, copier, space, directories, pageSize, commandDeadline)
              .run(from, to);
    } finally {
      forgetBoth(from, to);
    }
    // Kept times match no moved file (a copy is a new version), so they would only be garbage.
    for (String dir : movedAway) {
      try (StorageDeadline.Scope step = StorageDeadline.restart(commandDeadline)) {
        keptTimes.forget(dir);
      }
    }
  }

  /**
   * What a HEAD of the path's key found.
   *
   * @param directoryLike a zero-byte object typed as a directory: how some servers answer a HEAD of
   *     a directory's name, and how some tools mark directories
   */
  private record StoredEntry(
      long size,
      Instant lastModified,
      boolean directoryLike,
      Map<String, String> metadata,
      String contentType,
      String eTag) {
    FileInfo info(VirtualPath path) {
      return new FileInfo(
          path, false, ListedSize.of(size), RecordedTimes.of(metadata, lastModified));
    }

    /** An object as this gateway just stored it. */
    static StoredEntry of(Committed committed) {
      return new StoredEntry(
          committed.size(),
          committed.recordedTime(),
          false,
          committed.metadata(),
          committed.contentType(),
          committed.version().eTag());
    }
  }

  /** The object at {@code path}'s key, if there is one. */
  private Optional<StoredEntry> head(VirtualPath path) throws StoreException {
    String key = space.key(path);
    HeadObjectResponse head;
    try {
      head = s3.headObject(b -> b.bucket(bucket).key(key));
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
    long size = head.contentLength() == null ? 0 : head.contentLength();
    String type = head.contentType() == null ? "" : head.contentType().toLowerCase(Locale.ROOT);
    return Optional.of(
        new StoredEntry(
            size,
            Objects.requireNonNullElse(head.lastModified(), Instant.EPOCH),
            size == 0 && type.startsWith(Directories.MARKER_TYPE),
            head.metadata(),
            head.contentType(),
            head.eTag()));
  }

  /** Whether a file (not a directory) is stored at {@code path}. */
  private boolean isFile(VirtualPath path) throws StoreException {
    return isFile(head(path), path);
  }

  /** Whether {@code object}, what a HEAD of {@code path} found, is a file. */
  private boolean isFile(Optional<StoredEntry> object, VirtualPath path) throws StoreException {
    return object.isPresent() && !(object.get().directoryLike() && directories.exists(path));
  }

  /** Forgets both ends of a directory move, and the directories they are in. */
  private void forgetBoth(VirtualPath from, VirtualPath to) {
    knownDirectories.forget(space.prefix(from));
    knownDirectories.forget(space.prefix(to));
  }

  /**
   * The checks of a new file whose parent this gateway does not know well enough: parent exists and
   * the name is not a directory. Where the parent was seen but not listed in full (it has more than
   * a page), the name's own LIST and HEAD; otherwise the parent's first page, remembered for the
   * next files, and the HEAD (for servers that leave an empty directory's marker out of listings).
   */
  private CompletableFuture<Void> checks(VirtualPath file) throws StoreException {
    if (knownDirectories.recentlySeen(space.prefix(file.parent()))) {
      CompletableFuture<Boolean> below = requests.supply(() -> directories.hasEntries(file));
      return notADirectory(file, below);
    }
    long mark = knownDirectories.mark();
    CompletableFuture<Boolean> listed =
        requests.supply(() -> listParent(file, mark).contains(file.name()));
    return notADirectory(file, listed);
  }

  /**
   * The subdirectory names of {@code file}'s parent, from its first page; fails when the parent
   * does not exist. A complete page is remembered; a longer directory only as seen, and then its
   * names past the first page are unknown, so whether {@code file} is one is asked with its own
   * LIST.
   */
  private Set<String> listParent(VirtualPath file, long mark) throws StoreException {
    VirtualPath parent = file.parent();
    String prefix = space.prefix(parent);
    ListObjectsV2Response response;
    try {
      response =
          s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).delimiter("/").maxKeys(pageSize));
    } catch (SdkException e) {
      throw S3Errors.map(e, "look up " + parent);
    }
    ListedPage page = ListedPage.of(response, prefix, Set.of());
    boolean shown = page.selfSeen() || !page.entries().isEmpty();
    if (!shown) {
      requireParent(file, "store");
    }
    if (Boolean.TRUE.equals(response.isTruncated())) {
      knownDirectories.seen(prefix, mark);
      return directories.hasEntries(file) ? Set.of(file.name()) : Set.of();
    }
    Set<String> subdirectories = page.directoryNames();
    knownDirectories.listed(prefix, subdirectories, mark);
    return subdirectories;
  }

  /**
   * The not-a-directory check of a new file: {@code listed} (whether a listing shows a directory at
   * its name) and a HEAD of its marker, side by side.
   */
  private CompletableFuture<Void> notADirectory(VirtualPath file, CompletableFuture<Boolean> listed)
      throws StoreException {
    CompletableFuture<Boolean> marker = requests.supply(() -> directories.hasMarker(file));
    return listed.thenCombine(
        marker,
        (below, marked) -> {
          if (below || marked) {
            throw new CompletionException(isADirectory(file));
          }
          return null;
        });
  }

  private void requireNotADirectory(VirtualPath file) throws StoreException {
    if (directories.exists(file)) {
      throw isADirectory(file);
    }
  }

  private void requireParent(VirtualPath path, String action) throws StoreException {
    VirtualPath parent = path.parent();
    if (!directories.exists(parent)) {
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
