package dev.dropzone.store.tree;

import dev.dropzone.kek.DataKeys;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.transfer.ObjectTransfers;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;

/** A user's tree over S3 keys under {@code homeKey}. (skeleton: store-tree work item) */
public final class S3FileTree implements FileTree {

  public S3FileTree(
      S3Client s3,
      S3Settings settings,
      String homeKey,
      String user,
      DataKeys keys,
      ObjectTransfers transfers) {}

  @Override
  public FileInfo stat(VirtualPath path) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }

  @Override
  public Stream<FileInfo> list(VirtualPath dir) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }

  @Override
  public InputStream openRead(VirtualPath file, long offset) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }

  @Override
  public Upload openWrite(VirtualPath file, long offset) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }

  @Override
  public void delete(VirtualPath file) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }

  @Override
  public void mkdir(VirtualPath dir) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }

  @Override
  public void rmdir(VirtualPath dir) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }

  @Override
  public void rename(VirtualPath from, VirtualPath to) throws IOException {
    throw new UnsupportedOperationException("skeleton");
  }
}
