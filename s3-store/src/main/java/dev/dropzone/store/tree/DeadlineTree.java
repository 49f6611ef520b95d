package dev.dropzone.store.tree;

import dev.dropzone.store.FileDigests;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.ModificationTimes;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A tree whose every operation runs under a {@link StorageDeadline}: the caller's, when it set one
 * for the whole command, else one of its own. Opening a read or write is bounded, the transfer of
 * the data itself is not; a listing's later pages get a deadline each (see {@link
 * DirectoryListing}). The tree's optional abilities (digests, modification times) need S3 too and
 * so run under the deadline as well.
 */
public final class DeadlineTree implements FileTree, FileDigests, ModificationTimes {

  private final S3FileTree tree;
  private final Duration deadline;

  public DeadlineTree(S3FileTree tree, Duration deadline) {
    this.tree = tree;
    this.deadline = deadline;
  }

  @Override
  public FileInfo stat(VirtualPath path) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      return tree.stat(path);
    }
  }

  @Override
  public boolean isDirectory(VirtualPath path) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      return tree.isDirectory(path);
    }
  }

  @Override
  public Stream<FileInfo> list(VirtualPath dir) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      return tree.list(dir);
    }
  }

  @Override
  public Stream<FileInfo> listWithoutTimes(VirtualPath dir) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      return tree.listWithoutTimes(dir);
    }
  }

  @Override
  public InputStream openRead(VirtualPath file, long offset) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      return tree.openRead(file, offset);
    }
  }

  @Override
  public Upload openWrite(VirtualPath file, long offset) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      return tree.openWrite(file, offset);
    }
  }

  @Override
  public void delete(VirtualPath file) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      tree.delete(file);
    }
  }

  @Override
  public void mkdir(VirtualPath dir) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      tree.mkdir(dir);
    }
  }

  @Override
  public void rmdir(VirtualPath dir) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      tree.rmdir(dir);
    }
  }

  @Override
  public void rename(VirtualPath from, VirtualPath to) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      tree.rename(from, to);
    }
  }

  @Override
  public Optional<byte[]> digest(VirtualPath file) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      return tree.digest(file);
    }
  }

  @Override
  public void setModified(VirtualPath file, Instant time) throws IOException {
    try (StorageDeadline.Scope scope = StorageDeadline.within(deadline)) {
      tree.setModified(file, time);
    }
  }
}
