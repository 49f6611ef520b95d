package dev.dropzone.gateway.ftp.fs;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.store.FileDigests;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.ModificationTimes;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.StorageDeadline;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
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

  /** Names {@link #stored} keeps per session. */
  private static final int STORED_HERE_KEPT = 1_000;

  private final Account account;
  private final FileTree tree;
  private final FileTree stored;
  private final Duration storageDeadline;
  private final UnaryOperator<String> forClient;
  private volatile VirtualPath cwd = VirtualPath.ROOT;

  /** What {@link #stored} noted, most recent last; a client sets a file's time right after it. */
  private final Map<VirtualPath, Boolean> storedHere =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<VirtualPath, Boolean> eldest) {
          return size() > STORED_HERE_KEPT;
        }
      };

  public StoreView(Account account, FileTree tree) {
    this(account, tree, tree);
  }

  /**
   * A view with the default storage deadline whose messages name no storage keys to hide (a tree
   * that is not over a real store, as in tests).
   *
   * @param tree what the user's commands work on (with their uploads scanned, where that applies)
   * @param stored the store's own tree under it, whose optional abilities ({@link FileDigests},
   *     {@link ModificationTimes}) touch no content and so need no wrapper
   */
  public StoreView(Account account, FileTree tree, FileTree stored) {
    this(account, tree, stored, S3Settings.DEFAULT_COMMAND_DEADLINE, UnaryOperator.identity());
  }

  /**
   * @param tree what the user's commands work on (with their uploads scanned, where that applies)
   * @param stored the store's own tree under it
   * @param storageDeadline how long one command may wait for S3 in total
   * @param forClient takes storage key names out of text meant for the client
   */
  public StoreView(
      Account account,
      FileTree tree,
      FileTree stored,
      Duration storageDeadline,
      UnaryOperator<String> forClient) {
    this.account = account;
    this.tree = tree;
    this.stored = stored;
    this.storageDeadline = storageDeadline;
    this.forClient = forClient;
  }

  public Account account() {
    return account;
  }

  public FileTree tree() {
    return tree;
  }

  /**
   * Opens the deadline of one command (see {@link StorageDeadline}); the tree's operations inside
   * it share it.
   */
  public StorageDeadline.Scope commandDeadline() {
    return StorageDeadline.within(storageDeadline);
  }

  /** {@code text} as the client may see it: with virtual paths, never storage keys. */
  public String forClient(String text) {
    return forClient.apply(text);
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
   * Notes that this session stored {@code path}. An account that may not list learns no name from
   * the store, so what it stored itself is all it may name where an answer would differ between a
   * file that exists and one that does not ({@link #requireStoredHere}).
   */
  public void stored(VirtualPath path) {
    if (!account.may(Permission.LIST)) {
      synchronized (storedHere) {
        storedHere.put(path, Boolean.TRUE);
      }
    }
  }

  /**
   * Fails with ACCESS_DENIED, as {@link #require} does, for an account that may not list unless
   * this session stored {@code path}: setting a file's time answers differently for a missing file,
   * which would let a drop-box user probe for names.
   */
  public void requireStoredHere(VirtualPath path) throws StoreException {
    if (account.may(Permission.LIST)) {
      return;
    }
    synchronized (storedHere) {
      if (storedHere.containsKey(path)) {
        return;
      }
    }
    throw new StoreException(Reason.ACCESS_DENIED, "Permission denied");
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

  /** The entry at {@code path}, or empty when there is none. */
  public Optional<FileInfo> lookup(VirtualPath path) throws IOException {
    return tree.lookup(path);
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
