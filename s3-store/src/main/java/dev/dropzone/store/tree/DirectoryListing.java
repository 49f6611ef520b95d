package dev.dropzone.store.tree;

import dev.dropzone.store.FileInfo;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Errors;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The entries directly inside one directory, read page by page from ListObjectsV2 with delimiter
 * {@code /} (see {@link ListedPage} for the shapes a server's answer may take). The first page is
 * fetched on {@link #open} (it also tells whether the directory exists); each later page one step
 * ahead of the stream's consumer, so memory stays at two pages whatever the directory's size.
 *
 * <p>A subdirectory whose time the page does not carry (a common prefix) gets it from {@link
 * Directories#describe}, and a file the time its writer recorded from a HEAD ({@link
 * RecordedTimes}, which remembers what earlier listings found); both are looked up on {@link
 * TreeRequests}' threads a few entries ahead of the consumer, so those lookups overlap instead of
 * adding up.
 */
final class DirectoryListing {

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryListing.class);

  /** Time lookups (subdirectories, files not yet remembered) in flight ahead of the consumer. */
  private static final int TIME_LOOKUPS_AHEAD = 16;

  /** A listing that HEADed this many files keeps the times it found ({@link KeptTimes}). */
  static final int KEEP_AFTER_HEADS = 16;

  private final VirtualPath dir;
  private final ListedPage first;
  private final Iterator<ListObjectsV2Response> rest;
  private final String prefix;
  private final Directories directories;
  private final TreeRequests requests;
  private final KeptTimes kept;
  private final S3Client s3;
  private final String bucket;
  private final Duration deadline;
  private final long mark;

  private DirectoryListing(
      VirtualPath dir,
      String prefix,
      ListedPage first,
      Iterator<ListObjectsV2Response> rest,
      Directories directories,
      TreeRequests requests,
      KeptTimes kept,
      S3Client s3,
      String bucket,
      Duration deadline,
      long mark) {
    this.dir = dir;
    this.prefix = prefix;
    this.first = first;
    this.rest = rest;
    this.directories = directories;
    this.requests = requests;
    this.kept = kept;
    this.s3 = s3;
    this.bucket = bucket;
    this.deadline = deadline;
    this.mark = mark;
  }

  static DirectoryListing open(
      S3Client s3,
      String bucket,
      String prefix,
      VirtualPath dir,
      int pageSize,
      Directories directories,
      TreeRequests requests,
      KeptTimes kept,
      Duration deadline)
      throws StoreException {
    // Taken before the first page: a listing that overlapped a change is not remembered.
    long mark = requests.directories().mark();
    Pages pages = new Pages(s3, bucket, prefix, pageSize, "list " + dir);
    ListObjectsV2Response first = pages.fetch(null);
    return new DirectoryListing(
        dir,
        prefix,
        ListedPage.of(first, prefix, Set.of()),
        new PagesAhead(pages, first, requests, deadline),
        directories,
        requests,
        kept,
        s3,
        bucket,
        deadline,
        mark);
  }

  /**
   * True when the first page showed an entry or the directory itself. False can still be an empty
   * directory whose marker the server leaves out of listings; {@link Directories#exists} decides.
   */
  boolean showedSomething() {
    return first.selfSeen() || !first.entries().isEmpty();
  }

  /**
   * The entries; a page that fails to load surfaces as an {@link UncheckedIOException} wrapping a
   * {@link StoreException}, since streams cannot throw checked exceptions.
   */
  Stream<FileInfo> stream(boolean recordedTimes) {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            new TimedEntries(new ListedEntries(), recordedTimes),
            Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  private static FileInfo info(VirtualPath path, ListedPage.Entry listed) {
    return new FileInfo(
        path,
        listed.directory(),
        listed.directory() ? 0 : ListedSize.of(listed.size()),
        listed.lastModified() == null ? Instant.EPOCH : listed.lastModified());
  }

  /** Keys written by other tools may not be valid names (e.g. {@code a//b}); they are skipped. */
  private Optional<VirtualPath> child(String name) {
    try {
      return Optional.of(dir.child(name));
    } catch (StoreException e) {
      LOG.debug("Skipping '{}' in {}: {}", name, dir, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The listed entries of every page in turn, each directory once across page boundaries. Once the
   * last page is read, the subdirectories are remembered ({@link KnownDirectories}), so uploads
   * into the directory right after the listing need no checks of their own.
   */
  private final class ListedEntries implements Iterator<ListedPage.Entry> {

    private Iterator<ListedPage.Entry> current = first.entries().iterator();
    private Set<String> previousDirectories = first.directoryNames();
    private final Set<String> allDirectories = new HashSet<>(previousDirectories);
    private boolean remembered;

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && rest.hasNext()) {
        ListedPage page = ListedPage.of(rest.next(), prefix, previousDirectories);
        previousDirectories = page.directoryNames();
        if (allDirectories.size() <= KnownDirectories.MAX_SUBDIRECTORIES) {
          allDirectories.addAll(previousDirectories);
        }
        current = page.entries().iterator();
      }
      if (!current.hasNext() && !remembered) {
        remembered = true;
        requests.directories().listed(prefix, allDirectories, mark);
      }
      return current.hasNext();
    }

    @Override
    public ListedPage.Entry next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }

  /**
   * The entries as {@link FileInfo}, with the times of subdirectories the listing did not date
   * looked up a few entries ahead of the consumer; or, without {@code lookups}, the listed times.
   * Before the first HEAD, the directory's {@link KeptTimes} are read (once in a while per
   * gateway); a listing that still HEADed many files keeps what it found for the next gateway.
   */
  private final class TimedEntries implements Iterator<FileInfo> {

    private final Iterator<ListedPage.Entry> listed;
    private final boolean lookups;
    private final Deque<CompletableFuture<FileInfo>> ahead = new ArrayDeque<>();
    private int heads;
    private boolean keptAsked;
    private boolean finished;

    TimedEntries(Iterator<ListedPage.Entry> listed, boolean lookups) {
      this.listed = listed;
      this.lookups = lookups;
    }

    @Override
    public boolean hasNext() {
      fill();
      if (ahead.isEmpty() && !finished) {
        finished = true;
        keepFound();
      }
      return !ahead.isEmpty();
    }

    @Override
    public FileInfo next() {
      fill();
      CompletableFuture<FileInfo> next = ahead.poll();
      if (next == null) {
        throw new NoSuchElementException();
      }
      try {
        return await(next, "list " + dir);
      } catch (StoreException e) {
        ahead.forEach(pending -> pending.cancel(false));
        ahead.clear();
        throw new UncheckedIOException(e);
      }
    }

    /**
     * After the last entry: when this listing had to HEAD many files, keeps what this gateway now
     * remembers of the directory for the next gateway, on a request thread (the client's 226 does
     * not wait for it). Nothing is collected per entry, so the listing's memory stays at two pages.
     */
    private void keepFound() {
      if (heads < KEEP_AFTER_HEADS) {
        return;
      }
      try {
        requests.supply(
            () -> {
              List<KeptTimes.Entry> entries = requests.times().keptUnder(prefix);
              if (!entries.isEmpty()) {
                try (StorageDeadline.Scope scope = StorageDeadline.restart(deadline)) {
                  kept.keep(prefix, entries);
                }
              }
              return null;
            });
      } catch (StoreException e) {
        LOG.debug("Not keeping the times of {}: {}", dir, e.getMessage());
      }
    }

    private void fill() {
      while (ahead.size() < TIME_LOOKUPS_AHEAD && listed.hasNext()) {
        ListedPage.Entry entry = listed.next();
        Optional<VirtualPath> path = child(entry.name());
        if (path.isEmpty()) {
          continue;
        }
        if (!lookups) {
          ahead.add(CompletableFuture.completedFuture(info(path.get(), entry)));
        } else if (entry.directory() && entry.lastModified() == null) {
          ahead.add(dated(path.get()));
        } else if (entry.directory()) {
          ahead.add(CompletableFuture.completedFuture(info(path.get(), entry)));
        } else {
          ahead.add(recorded(path.get(), entry));
        }
      }
    }

    /** A file with its recorded time: remembered, kept, or looked up by a HEAD. */
    private CompletableFuture<FileInfo> recorded(VirtualPath file, ListedPage.Entry entry) {
      FileInfo listed = info(file, entry);
      RecordedTimes.Version version =
          new RecordedTimes.Version(prefix + entry.name(), entry.eTag(), listed.lastModified());
      Optional<Instant> known = requests.times().known(version);
      if (known.isEmpty() && !keptAsked) {
        keptAsked = true;
        if (requests.times().firstAskFor(prefix)) {
          // Part of streaming the listing, which may outlast the command's deadline.
          try (StorageDeadline.Scope scope = StorageDeadline.restart(deadline)) {
            kept.load(prefix, requests.times());
          }
          known = requests.times().known(version);
        }
      }
      if (known.isPresent()) {
        return CompletableFuture.completedFuture(withTime(listed, known.get()));
      }
      heads++;
      try {
        return requests.supply(
            () -> {
              // Part of streaming the listing, like a page: without a deadline of its own, a HEAD
              // asked for while the consumer holds none would wait out the socket timeouts.
              try (StorageDeadline.Scope scope = StorageDeadline.restart(deadline)) {
                return withTime(listed, headTime(version));
              }
            });
      } catch (StoreException e) {
        throw new UncheckedIOException(e);
      }
    }

    private CompletableFuture<FileInfo> dated(VirtualPath subdirectory) {
      try {
        return requests.supply(
            () -> {
              // Part of streaming the listing, which may outlast the command's deadline.
              try (StorageDeadline.Scope scope = StorageDeadline.restart(deadline)) {
                Instant time = directories.describe(subdirectory).orElse(Instant.EPOCH);
                return new FileInfo(subdirectory, true, 0, time);
              }
            });
      } catch (StoreException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static FileInfo withTime(FileInfo listed, Instant time) {
    return new FileInfo(listed.path(), false, listed.size(), time);
  }

  /**
   * The time recorded in the metadata of {@code version}, remembered for the next listing; the
   * listed time when the object went away or changed since it was listed.
   */
  private Instant headTime(RecordedTimes.Version version) throws StoreException {
    HeadObjectResponse head;
    try {
      head = s3.headObject(b -> b.bucket(bucket).key(version.key()));
    } catch (NoSuchKeyException e) {
      return version.lastModified();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return version.lastModified();
      }
      throw S3Errors.map(e, "list " + dir);
    } catch (SdkException e) {
      throw S3Errors.map(e, "list " + dir);
    }
    Instant time = RecordedTimes.of(head.metadata(), version.lastModified());
    if (new RecordedTimes.Version(version.key(), head.eTag(), head.lastModified())
        .equals(version)) {
      requests.times().remember(version, time);
    }
    return time;
  }

  /** The result of {@code pending}; its failure as the {@link StoreException} it was. */
  static <T> T await(CompletableFuture<T> pending, String what) throws StoreException {
    try {
      return pending.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(Reason.ABORTED, "Listing interrupted: " + what, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreException failure) {
        throw failure;
      }
      throw new StoreException(
          Reason.STORAGE_UNAVAILABLE,
          "Could not " + what + ": " + e.getCause().getMessage(),
          e.getCause());
    }
  }

  /** ListObjectsV2 of one directory, a page at a time. */
  private record Pages(S3Client s3, String bucket, String prefix, int pageSize, String what) {

    ListObjectsV2Response fetch(String continuationToken) throws StoreException {
      try {
        return s3.listObjectsV2(
            b ->
                b.bucket(bucket)
                    .prefix(prefix)
                    .delimiter("/")
                    .maxKeys(pageSize)
                    .continuationToken(continuationToken));
      } catch (SdkException e) {
        throw S3Errors.map(e, what);
      }
    }
  }

  /**
   * The pages after the first, each requested as soon as the one before it is handed out: the next
   * LIST runs while the caller formats and sends the current page, so a long listing takes about as
   * long as its LISTs alone. Two pages at most are held at a time. Failures surface as {@link
   * UncheckedIOException} wrapping a {@link StoreException}, since iterators cannot throw checked
   * exceptions.
   */
  private static final class PagesAhead implements Iterator<ListObjectsV2Response> {

    private final Pages pages;
    private final TreeRequests requests;
    private final Duration deadline;
    private CompletableFuture<ListObjectsV2Response> next;

    PagesAhead(Pages pages, ListObjectsV2Response first, TreeRequests requests, Duration deadline)
        throws StoreException {
      this.pages = pages;
      this.requests = requests;
      this.deadline = deadline;
      this.next = after(first);
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public ListObjectsV2Response next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      try {
        ListObjectsV2Response page = DirectoryListing.await(next, pages.what());
        next = after(page);
        return page;
      } catch (StoreException e) {
        next = null;
        throw new UncheckedIOException(e);
      }
    }

    private CompletableFuture<ListObjectsV2Response> after(ListObjectsV2Response page)
        throws StoreException {
      if (!Boolean.TRUE.equals(page.isTruncated())) {
        return null;
      }
      String token = page.nextContinuationToken();
      if (token == null || token.isEmpty()) {
        // Asking again without a token would restart the listing and repeat it forever.
        throw new StoreException(
            Reason.STORAGE_UNAVAILABLE,
            "Could not "
                + pages.what()
                + ": storage said the listing goes on but gave no continuation token");
      }
      // Each page gets the whole deadline: a long listing takes as long as it takes while S3
      // answers, but one page that stalls ends it.
      return requests.supply(
          () -> {
            try (StorageDeadline.Scope scope = StorageDeadline.restart(deadline)) {
              return pages.fetch(token);
            }
          });
    }
  }
}
