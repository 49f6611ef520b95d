package dev.dropzone.gateway.scan;

import dev.dropzone.gateway.scan.Scanner.Scan;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;

/**
 * A user's tree whose uploads are scanned ({@link ScanningUpload}); everything else passes through.
 *
 * <p>A resumed upload (REST + STOR, APPE) becomes the existing start plus the new data, and it is
 * that whole file that must be scanned: a signature split across the two parts would otherwise
 * pass. So the existing start is read here and written through the scanning stream into a new
 * upload, where the store would otherwise carry it over itself; it is still read and encrypted
 * once.
 */
final class ScanningTree implements FileTree {

  private final FileTree tree;
  private final UploadScanning scanning;
  private final String user;

  ScanningTree(FileTree tree, UploadScanning scanning, String user) {
    this.tree = tree;
    this.scanning = scanning;
    this.user = user;
  }

  @Override
  public Upload openWrite(VirtualPath file, long offset) throws IOException {
    if (offset > 0) {
      requireResumable(file, offset);
    }
    Scan scan = null;
    String unscanned = null;
    try {
      scan = scanning.scanner().begin();
    } catch (IOException e) {
      unscanned = scanning.unavailable(user, file, e);
    }
    Upload inner;
    try {
      inner = tree.openWrite(file, 0);
    } catch (IOException | RuntimeException e) {
      if (scan != null) {
        scan.cancel();
      }
      throw e;
    }
    ScanningUpload upload =
        new ScanningUpload(
            inner, scan, unscanned, scanning.settings(), scanning.recorder(), user, file);
    if (offset > 0) {
      try (InputStream existing = tree.openRead(file, 0)) {
        carryOver(existing, upload, file, offset);
      } catch (IOException | RuntimeException e) {
        upload.abort();
        throw e;
      }
    }
    return upload;
  }

  private void requireResumable(VirtualPath file, long offset) throws IOException {
    FileInfo existing = tree.stat(file);
    if (existing.directory()) {
      throw new StoreException(Reason.NOT_A_FILE, "Is a directory, not a file: " + file);
    }
    if (offset > existing.size()) {
      throw new StoreException(
          Reason.OUT_OF_RANGE,
          "Restart offset " + offset + " is outside the file (" + existing.size() + " bytes)");
    }
  }

  private static void carryOver(InputStream in, Upload upload, VirtualPath file, long count)
      throws IOException {
    byte[] buffer = new byte[256 << 10];
    long left = count;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new StoreException(
            Reason.OUT_OF_RANGE,
            file + " became shorter than the restart offset " + count + " while resuming");
      }
      upload.stream().write(buffer, 0, n);
      left -= n;
    }
  }

  @Override
  public FileInfo stat(VirtualPath path) throws IOException {
    return tree.stat(path);
  }

  @Override
  public boolean isDirectory(VirtualPath path) throws IOException {
    return tree.isDirectory(path);
  }

  @Override
  public Stream<FileInfo> list(VirtualPath dir) throws IOException {
    return tree.list(dir);
  }

  @Override
  public Stream<FileInfo> listWithoutTimes(VirtualPath dir) throws IOException {
    return tree.listWithoutTimes(dir);
  }

  @Override
  public InputStream openRead(VirtualPath file, long offset) throws IOException {
    return tree.openRead(file, offset);
  }

  @Override
  public void delete(VirtualPath file) throws IOException {
    tree.delete(file);
  }

  @Override
  public void mkdir(VirtualPath dir) throws IOException {
    tree.mkdir(dir);
  }

  @Override
  public void rmdir(VirtualPath dir) throws IOException {
    tree.rmdir(dir);
  }

  @Override
  public void rename(VirtualPath from, VirtualPath to) throws IOException {
    tree.rename(from, to);
  }
}
