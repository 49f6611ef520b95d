package dev.dropzone.gateway.embedded;

import java.util.List;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * Makes jclouds' filesystem backend list a directory marker the way S3 does. S3 returns the
 * zero-byte object {@code a/b/} when listing with prefix {@code a/b/}; the filesystem backend
 * stores such a marker as a bare directory and leaves it out of that listing, so an empty directory
 * made by MKD would look absent to the store (CWD and RMD would fail right after MKD). Only the
 * first page of an otherwise empty listing is touched, so pagination stays exact.
 */
final class DirectoryMarkerListing extends ForwardingBlobStore {

  DirectoryMarkerListing(BlobStore delegate) {
    super(delegate);
  }

  @Override
  public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
    PageSet<? extends StorageMetadata> page = delegate().list(container, options);
    String prefix = options.getPrefix();
    if (!page.isEmpty() || options.getMarker() != null || prefix == null || !prefix.endsWith("/")) {
      return page;
    }
    BlobMetadata marker = delegate().blobMetadata(container, prefix);
    if (marker == null) {
      return page;
    }
    return new PageSetImpl<>(List.of(marker), null);
  }
}
