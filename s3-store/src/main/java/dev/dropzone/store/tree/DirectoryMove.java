package dev.dropzone.store.tree;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Moves every object below one directory prefix to another: the target's marker first, so the
 * target exists throughout; then each file (copy, then delete the source) and each subdirectory
 * marker (written at the target) in listing order; last the source's markers, deepest first. At any
 * moment each file is in the source, the target, or (after a failed delete) both, never in neither.
 * If the move stops part way it fails as PARTIAL, saying what moved.
 *
 * <p>Markers are written, not copied, and removed only once everything below them has moved:
 * filesystem-backed servers keep a marker as a real directory, and ignore (or refuse) the removal
 * of one that still has entries, which would leave the old name behind as a ghost.
 *
 * <p>A directory holds any number of objects, so each step (a listing page, one object moved, one
 * marker removed) gets a whole {@link StorageDeadline} of its own: the move goes on as long as S3
 * keeps answering, and one step that stalls stops it.
 */
final class DirectoryMove {

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryMove.class);

  /** How many moved names a PARTIAL message lists before summarising the rest as a count. */
  private static final int NAMES_IN_MESSAGE = 10;

  private final S3Client s3;
  private final String bucket;
  private final ObjectCopier copier;
  private final HomeKeySpace space;
  private final Directories directories;
  private final int pageSize;
  private final Duration stepDeadline;

  DirectoryMove(
      S3Client s3,
      String bucket,
      ObjectCopier copier,
      HomeKeySpace space,
      Directories directories,
      int pageSize,
      Duration stepDeadline) {
    this.s3 = s3;
    this.bucket = bucket;
    this.copier = copier;
    this.space = space;
    this.directories = directories;
    this.pageSize = pageSize;
    this.stepDeadline = stepDeadline;
  }

  /**
   * Moves the directory.
   *
   * @return the key prefix of every directory moved away (the source and each directory below it,
   *     with or without a marker), for what is kept per directory to be forgotten
   */
  Set<String> run(VirtualPath from, VirtualPath to) throws StoreException {
    String source = space.prefix(from);
    String target = space.prefix(to);
    String what = "rename " + from + " to " + to;
    if (HomeKeySpace.utf8Length(target) > HomeKeySpace.utf8Length(source)) {
      checkTargetKeyLengths(source, target, what);
    }
    directories.createMarker(to);
    Progress progress = new Progress(from, to);
    Set<String> movedAway = new TreeSet<>();
    movedAway.add(source);
    try {
      move(source, target, progress, movedAway, what);
    } catch (StoreException e) {
      if (progress.count == 0) {
        removeEmptyTarget(to);
      }
      throw e;
    }
    LOG.debug("Renamed directory {} to {}: {} objects", from, to, progress.count);
    return movedAway;
  }

  private void move(
      String source, String target, Progress progress, Set<String> movedAway, String what)
      throws StoreException {
    List<String> sourceMarkers = new ArrayList<>();
    try {
      for (S3Object object : everythingBelow(source, what)) {
        String rest = object.key().substring(source.length());
        if (rest.isEmpty()) {
          continue;
        }
        for (int slash = rest.indexOf('/'); slash >= 0; slash = rest.indexOf('/', slash + 1)) {
          movedAway.add(source + rest.substring(0, slash + 1));
        }
        try (StorageDeadline.Scope step = StorageDeadline.restart(stepDeadline)) {
          if (rest.endsWith("/")) {
            moveMarker(object.key(), target + rest, progress, what);
            sourceMarkers.add(object.key());
          } else {
            moveFile(object, target + rest, progress, what);
          }
        }
      }
    } catch (UncheckedIOException e) {
      throw progress.stopped(
          "listing the rest of " + progress.from + " failed", (StoreException) e.getCause(), false);
    }
    // Deepest first: a filesystem-backed server removes a directory only once it is empty.
    sourceMarkers.sort(Comparator.reverseOrder());
    sourceMarkers.add(source);
    for (String marker : sourceMarkers) {
      try (StorageDeadline.Scope step = StorageDeadline.restart(stepDeadline)) {
        directories.deleteMarker(marker, what);
      } catch (StoreException e) {
        throw progress.stopped(
            "the emptied directory "
                + space.display(marker)
                + " could not be removed from the source",
            e,
            progress.count > 0);
      }
    }
  }

  /** Nothing moved: the target marker written first must not stay behind as an empty directory. */
  private void removeEmptyTarget(VirtualPath to) {
    try {
      directories.removeMarker(to);
    } catch (StoreException e) {
      LOG.warn(
          "Could not remove the empty directory {} left by a failed rename: {}; the user sees it"
              + " and can remove it with RMD",
          to,
          e.getMessage());
    }
  }

  /** One file: copied, then removed from the source. */
  private void moveFile(S3Object object, String newKey, Progress progress, String what)
      throws StoreException {
    String key = object.key();
    String copied;
    try {
      copied = copier.copy(key, newKey, size(object, what), what);
    } catch (StoreException e) {
      throw progress.stopped(space.display(key) + " could not be copied", e, false);
    }
    try {
      if (!copier.deleteIfUnchanged(key, copied)) {
        LOG.info(
            "{}: a new upload replaced {} while it was copied and stays there",
            what,
            space.display(key));
      }
    } catch (SdkException e) {
      throw progress.stopped(
          space.display(key)
              + " was copied to "
              + space.display(newKey)
              + " but could not be removed from the source",
          S3Errors.map(e, what),
          true);
    }
    progress.moved(key);
  }

  /** One subdirectory: its marker written at the target; the source's is removed at the end. */
  private void moveMarker(String marker, String newMarker, Progress progress, String what)
      throws StoreException {
    try {
      directories.writeMarker(HomeKeySpace.checked(newMarker), what);
    } catch (StoreException e) {
      throw progress.stopped(
          space.display(marker) + " could not be created at " + space.display(newMarker), e, false);
    }
    progress.moved(marker);
  }

  /** Some servers list directories with no size; a file's comes from HEAD then. */
  private long size(S3Object object, String what) throws StoreException {
    if (object.size() != null) {
      return object.size();
    }
    try {
      return s3.headObject(b -> b.bucket(bucket).key(object.key())).contentLength();
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
  }

  /**
   * A longer target name can push keys over S3's limit; finding that out half way would leave a
   * split directory, so it is checked on a listing before anything moves.
   */
  private void checkTargetKeyLengths(String source, String target, String what)
      throws StoreException {
    int extra = HomeKeySpace.utf8Length(target) - HomeKeySpace.utf8Length(source);
    try {
      for (S3Object object : everythingBelow(source, what)) {
        if (HomeKeySpace.utf8Length(object.key()) + extra > HomeKeySpace.MAX_KEY_BYTES) {
          throw new StoreException(
              Reason.INVALID_PATH,
              "Invalid file name: "
                  + space.display(target + object.key().substring(source.length()))
                  + " would be longer than "
                  + HomeKeySpace.MAX_KEY_BYTES
                  + " bytes once stored; nothing was moved");
        }
      }
    } catch (UncheckedIOException e) {
      throw (StoreException) e.getCause();
    }
  }

  /**
   * All objects below {@code prefix} at any depth, markers included, fetched page by page, each
   * page under a deadline of its own; a failed page surfaces as an {@link UncheckedIOException}
   * wrapping a {@link StoreException}.
   */
  private Iterable<S3Object> everythingBelow(String prefix, String what) {
    Iterator<S3Object> objects;
    // The paginator fetches its first page as soon as it is asked for an iterator.
    try (StorageDeadline.Scope step = StorageDeadline.restart(stepDeadline)) {
      objects =
          s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).maxKeys(pageSize))
              .contents()
              .iterator();
    } catch (SdkException e) {
      throw new UncheckedIOException(S3Errors.map(e, what));
    }
    return () ->
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            try (StorageDeadline.Scope step = StorageDeadline.restart(stepDeadline)) {
              return objects.hasNext();
            } catch (SdkException e) {
              throw new UncheckedIOException(S3Errors.map(e, what));
            }
          }

          @Override
          public S3Object next() {
            try (StorageDeadline.Scope step = StorageDeadline.restart(stepDeadline)) {
              return objects.next();
            } catch (SdkException e) {
              throw new UncheckedIOException(S3Errors.map(e, what));
            }
          }
        };
  }

  /** What has moved so far, and the message when the move stops. */
  private final class Progress {
    private final VirtualPath from;
    private final VirtualPath to;
    private final List<String> names = new ArrayList<>();
    private long count;

    Progress(VirtualPath from, VirtualPath to) {
      this.from = from;
      this.to = to;
    }

    void moved(String key) {
      count++;
      if (names.size() < NAMES_IN_MESSAGE) {
        names.add(space.display(key));
      }
    }

    /**
     * The plain cause while nothing has changed; otherwise PARTIAL with what moved and what did
     * not.
     *
     * @param duplicated whether the failure left an object in both places
     */
    StoreException stopped(String why, StoreException cause, boolean duplicated) {
      if (count == 0 && !duplicated) {
        return cause;
      }
      String movedList =
          count == 0
              ? "nothing"
              : count
                  + " object(s) ("
                  + String.join(", ", names)
                  + (count > names.size() ? ", and " + (count - names.size()) + " more" : "")
                  + ")";
      String message =
          "Rename of "
              + from
              + " to "
              + to
              + " stopped part way: moved "
              + movedList
              + " to "
              + to
              + "; "
              + why
              + ", and everything not listed as moved is still in "
              + from
              + ". Cause: "
              + cause.getMessage();
      // DEBUG: the command that asked logs this message once, with the user and the reply.
      LOG.debug("{}", message);
      return new StoreException(Reason.PARTIAL, message, cause);
    }
  }
}
