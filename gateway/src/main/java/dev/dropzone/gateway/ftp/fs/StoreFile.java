package dev.dropzone.gateway.ftp.fs;

import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.ftpserver.ftplet.FtpFile;

/**
 * A path as MINA's file type, and nothing more: it never touches the store. Every command that
 * reads or changes files is Dropzone's own and checks permissions; this type only carries a path
 * where MINA wants an {@link FtpFile} (between RNFR and RNTO, or to name the working directory in a
 * reply). Whatever MINA code might still ask it about the file is refused: it does not exist, lists
 * nothing, and opens no stream.
 */
public final class StoreFile implements FtpFile {

  private final VirtualPath path;

  StoreFile(VirtualPath path) {
    this.path = path;
  }

  public VirtualPath path() {
    return path;
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
    return false;
  }

  @Override
  public boolean isFile() {
    return false;
  }

  @Override
  public boolean doesExist() {
    return false;
  }

  @Override
  public boolean isReadable() {
    return false;
  }

  @Override
  public boolean isWritable() {
    return false;
  }

  @Override
  public boolean isRemovable() {
    return false;
  }

  @Override
  public String getOwnerName() {
    return "";
  }

  @Override
  public String getGroupName() {
    return "";
  }

  @Override
  public int getLinkCount() {
    return 0;
  }

  @Override
  public long getLastModified() {
    return 0;
  }

  @Override
  public boolean setLastModified(long time) {
    return false;
  }

  @Override
  public long getSize() {
    return 0;
  }

  @Override
  public Object getPhysicalFile() {
    return path;
  }

  @Override
  public boolean mkdir() {
    return false;
  }

  @Override
  public boolean delete() {
    return false;
  }

  @Override
  public boolean move(FtpFile destination) {
    return false;
  }

  /** Null is MINA's "cannot list". */
  @Override
  public List<StoreFile> listFiles() {
    return null;
  }

  @Override
  public OutputStream createOutputStream(long offset) throws IOException {
    throw refused();
  }

  @Override
  public InputStream createInputStream(long offset) throws IOException {
    throw refused();
  }

  private static IOException refused() {
    return new IOException("file contents are only served by Dropzone's own commands");
  }
}
