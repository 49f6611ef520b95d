package dev.dropzone.gateway.ftp.fs;

import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ftpserver.ftplet.FtpFile;

/**
 * A path in a {@link StoreView} as MINA's remaining built-in commands (PWD, CDUP, STAT) see it.
 * Dropzone's own commands work on {@link VirtualPath}s directly, because this interface reports
 * failures as bare booleans.
 */
public final class StoreFile implements FtpFile {

  private final StoreView view;
  private final VirtualPath path;
  private FileInfo info;
  private boolean looked;

  StoreFile(StoreView view, VirtualPath path) {
    this.view = view;
    this.path = path;
  }

  StoreFile(StoreView view, FileInfo info) {
    this(view, info.path());
    this.info = info;
    this.looked = true;
  }

  public VirtualPath path() {
    return path;
  }

  private synchronized FileInfo info() {
    if (!looked) {
      looked = true;
      try {
        info = view.stat(path);
      } catch (IOException e) {
        info = null;
      }
    }
    return info;
  }

  @Override
  public String getAbsolutePath() {
    return path.toString();
  }

  @Override
  public String getName() {
    return path.isRoot() ? "/" : path.name();
  }

  @Override
  public boolean isHidden() {
    return false;
  }

  @Override
  public boolean isDirectory() {
    FileInfo i = info();
    return i != null && i.directory();
  }

  @Override
  public boolean isFile() {
    FileInfo i = info();
    return i != null && !i.directory();
  }

  @Override
  public boolean doesExist() {
    return info() != null;
  }

  @Override
  public boolean isReadable() {
    return view.account().may(Permission.READ);
  }

  @Override
  public boolean isWritable() {
    return view.account().may(Permission.WRITE);
  }

  @Override
  public boolean isRemovable() {
    return view.account().may(Permission.DELETE) && !path.isRoot();
  }

  @Override
  public String getOwnerName() {
    return view.account().username();
  }

  @Override
  public String getGroupName() {
    return view.account().username();
  }

  @Override
  public int getLinkCount() {
    return isDirectory() ? 2 : 1;
  }

  @Override
  public long getLastModified() {
    FileInfo i = info();
    return i == null ? 0 : i.lastModified().toEpochMilli();
  }

  @Override
  public boolean setLastModified(long time) {
    // S3 objects cannot change their modification time without being rewritten.
    return false;
  }

  @Override
  public long getSize() {
    FileInfo i = info();
    return i == null ? 0 : i.size();
  }

  @Override
  public Object getPhysicalFile() {
    return path;
  }

  @Override
  public boolean mkdir() {
    try {
      view.require(Permission.MKDIR);
      view.tree().mkdir(path);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public boolean delete() {
    try {
      view.require(Permission.DELETE);
      view.tree().delete(path);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public boolean move(FtpFile destination) {
    if (!(destination instanceof StoreFile target)) {
      return false;
    }
    try {
      view.require(Permission.RENAME);
      view.tree().rename(path, target.path);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public List<StoreFile> listFiles() {
    try (Stream<FileInfo> entries = view.tree().list(path)) {
      return entries.map(e -> new StoreFile(view, e)).toList();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Refused: an output stream whose {@code close()} would have to commit is exactly what turns a
   * broken transfer into a stored file. Uploads go through Dropzone's STOR/APPE/STOU.
   */
  @Override
  public OutputStream createOutputStream(long offset) throws IOException {
    throw new IOException("uploads are handled by Dropzone's STOR, APPE and STOU commands");
  }

  @Override
  public InputStream createInputStream(long offset) throws IOException {
    view.require(Permission.READ);
    return view.tree().openRead(path, offset);
  }
}
