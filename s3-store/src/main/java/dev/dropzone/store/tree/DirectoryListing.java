package dev.dropzone.store.tree;

import dev.dropzone.store.FileInfo;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Errors;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The entries directly inside one directory, read page by page from ListObjectsV2 with delimiter
 * {@code /}: common prefixes are subdirectories, objects are files. The first page is fetched on
 * {@link #open} (it also tells whether the directory exists); each later page one step ahead of the
 * stream's consumer, so memory stays at two pages whatever the directory's size.
 */
final class DirectoryListing {

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryListing.class);

  private final VirtualPath dir;
  private final String prefix;
  private final ListObjectsV2Response first;
  private final Iterator<ListObjectsV2Response> rest;

  private DirectoryListing(
      VirtualPath dir,
      String prefix,
      ListObjectsV2Response first,
      Iterator<ListObjectsV2Response> rest) {
    this.dir = dir;
    this.prefix = prefix;
    this.first = first;
    this.rest = rest;
  }

  static DirectoryListing open(
      S3Client s3,
      String bucket,
      String prefix,
      VirtualPath dir,
      int pageSize,
      TreeRequests requests)
      throws StoreException {
    Pages pages = new Pages(s3, bucket, prefix, pageSize, "list " + dir);
    ListObjectsV2Response first = pages.fetch(null);
    return new DirectoryListing(dir, prefix, first, new PagesAhead(pages, first, requests));
  }

  /** True when the directory has a marker or anything below it. */
  boolean exists() {
    return first.hasContents() && !first.contents().isEmpty()
        || first.hasCommonPrefixes() && !first.commonPrefixes().isEmpty();
  }

  /**
   * The entries; a page that fails to load surfaces as an {@link UncheckedIOException} wrapping a
   * {@link StoreException}, since streams cannot throw checked exceptions.
   */
  Stream<FileInfo> stream() {
    Stream<ListObjectsV2Response> later =
        StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(rest, Spliterator.ORDERED | Spliterator.NONNULL),
            false);
    return Stream.concat(Stream.of(first), later).flatMap(this::entries);
  }

  private Stream<FileInfo> entries(ListObjectsV2Response page) {
    // Some S3-compatible servers (S3Proxy among them) return a marker object "dir/" as an object,
    // not as a common prefix, even when the delimiter is "/": both forms mean a subdirectory.
    Set<String> markers =
        page.contents().stream()
            .map(S3Object::key)
            .filter(key -> key.endsWith("/"))
            .collect(Collectors.toSet());
    Stream<FileInfo> dirs =
        page.commonPrefixes().stream()
            .map(CommonPrefix::prefix)
            .filter(key -> !markers.contains(key))
            .map(key -> directory(key, Instant.EPOCH))
            .flatMap(Optional::stream);
    Stream<FileInfo> objects =
        page.contents().stream()
            // The directory's own marker is the directory itself, not an entry in it.
            .filter(object -> !object.key().equals(prefix))
            .map(this::entry)
            .flatMap(Optional::stream);
    return Stream.concat(dirs, objects);
  }

  private Optional<FileInfo> entry(S3Object object) {
    String key = object.key();
    if (key.endsWith("/")) {
      return directory(key, object.lastModified());
    }
    return child(key.substring(prefix.length()))
        .map(
            path -> new FileInfo(path, false, ListedSize.of(object.size()), object.lastModified()));
  }

  private Optional<FileInfo> directory(String key, Instant lastModified) {
    return child(key.substring(prefix.length(), key.length() - 1))
        .map(path -> new FileInfo(path, true, 0, lastModified));
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
    private CompletableFuture<ListObjectsV2Response> next;

    PagesAhead(Pages pages, ListObjectsV2Response first, TreeRequests requests)
        throws StoreException {
      this.pages = pages;
      this.requests = requests;
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
        ListObjectsV2Response page = await(next);
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
      return requests.supply(() -> pages.fetch(token));
    }

    private ListObjectsV2Response await(CompletableFuture<ListObjectsV2Response> page)
        throws StoreException {
      try {
        return page.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException(Reason.ABORTED, "Listing interrupted: " + pages.what(), e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof StoreException failure) {
          throw failure;
        }
        throw new StoreException(
            Reason.STORAGE_UNAVAILABLE,
            "Could not " + pages.what() + ": " + e.getCause().getMessage(),
            e.getCause());
      }
    }
  }
}
