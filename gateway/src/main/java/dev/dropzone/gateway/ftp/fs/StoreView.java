package dev.dropzone.gateway.ftp.fs;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.store.FileDigests;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.ModificationTimes;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import org.apache.ftpserver.ftplet.FileSystemView;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpFile;

/**
 * One logged-in user's view of the store: their tree, their working directory, their permissions.
 * Confinement to the home comes from {@link VirtualPath}: every client path is parsed against the
 * working directory and can never name anything above the tree's root. Dropzone's commands use the
 * methods above the {@link FileSystemView} ones; MINA's file view (below them) touches nothing.
 */
public final class StoreView implements FileSystemView {

  private final Account account;
  private final FileTree tree;
  private final FileTree stored;
  private volatile VirtualPath cwd = VirtualPath.ROOT;

  public StoreView(Account account, FileTree tree) {
    this(account, tree, tree);
  }

  /**
   * @param tree what the user's commands work on (with their uploads scanned, where that applies)
   * @param stored the store's own tree under it, whose optional abilities ({@link FileDigests},
   *     {@link ModificationTimes}) touch no content and so need no wrapper
   */
  public StoreView(Account account, FileTree tree, FileTree stored) {
    this.account = account;
    this.tree = tree;
    this.stored = stored;
  }

  public Account account() {
    return account;
  }

  public FileTree tree() {
    return tree;
  }

  public VirtualPath cwd() {
    return cwd;
  }

  public void cwd(VirtualPath dir) {
    cwd = dir;
  }

  /** The client's path resolved against the working directory. */
  public VirtualPath resolve(String argument) throws StoreException {
    return VirtualPath.parse(cwd, argument);
  }

  /** Fails with ACCESS_DENIED unless the account holds {@code permission}. */
  public void require(Permission permission) throws StoreException {
    if (!account.may(permission)) {
      throw new StoreException(Reason.ACCESS_DENIED, "Permission denied");
    }
  }

  /**
   * The store's optional {@code ability} (e.g. {@link FileDigests}) for this user's tree.
   *
   * @throws StoreException NOT_SUPPORTED when the store has no such ability
   */
  public <T> T ability(Class<T> ability) throws StoreException {
    if (ability.isInstance(stored)) {
      return ability.cast(stored);
    }
    throw new StoreException(
        Reason.NOT_SUPPORTED, "This storage cannot do that (" + ability.getSimpleName() + ")");
  }

  /** The entry at {@code path} (the home itself always exists). */
  public FileInfo stat(VirtualPath path) throws IOException {
    return tree.stat(path);
  }

  /** The path as MINA's file type, e.g. to remember it between RNFR and RNTO. */
  public StoreFile file(VirtualPath path) {
    return new StoreFile(path);
  }

  // MINA's file-system view, as MINA's own commands would use it. Dropzone replaces every command
  // that reads or changes files (with permission checks and streaming), so what is left here only
  // names directories and refuses everything else.

  @Override
  public FtpFile getHomeDirectory() {
    return new StoreFile(VirtualPath.ROOT);
  }

  @Override
  public FtpFile getWorkingDirectory() {
    return new StoreFile(cwd);
  }

  /** Refused: CWD and CDUP are Dropzone's own commands. */
  @Override
  public boolean changeWorkingDirectory(String dir) {
    return false;
  }

  /** Refused: every command that works on files is Dropzone's own. */
  @Override
  public FtpFile getFile(String name) throws FtpException {
    throw new FtpException("files are only served by Dropzone's own commands");
  }

  @Override
  public boolean isRandomAccessible() {
    return true;
  }

  @Override
  public void dispose() {
    // The tree holds no per-session resources: S3 connections belong to the shared store.
  }
}
