package dev.dropzone.store.tree;

import dev.dropzone.store.FileInfo;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Errors;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
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
 * {@link #open} (it also tells whether the directory exists); later pages only as the stream is
 * consumed, so memory stays at one page whatever the directory's size.
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
      S3Client s3, String bucket, String prefix, VirtualPath dir, int pageSize)
      throws StoreException {
    String what = "list " + dir;
    try {
      Iterator<ListObjectsV2Response> pages =
          s3.listObjectsV2Paginator(
                  b -> b.bucket(bucket).prefix(prefix).delimiter("/").maxKeys(pageSize))
              .iterator();
      ListObjectsV2Response first = pages.next();
      return new DirectoryListing(dir, prefix, first, new MappedErrors(pages, what));
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
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

  /** Turns the SDK's unchecked failures while paging into the store's exception type. */
  private record MappedErrors(Iterator<ListObjectsV2Response> pages, String what)
      implements Iterator<ListObjectsV2Response> {

    @Override
    public boolean hasNext() {
      try {
        return pages.hasNext();
      } catch (SdkException e) {
        throw new UncheckedIOException(S3Errors.map(e, what));
      }
    }

    @Override
    public ListObjectsV2Response next() {
      try {
        return pages.next();
      } catch (SdkException e) {
        throw new UncheckedIOException(S3Errors.map(e, what));
      }
    }
  }
}
