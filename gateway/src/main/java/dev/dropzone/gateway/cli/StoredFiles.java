package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.auth.HomePath;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.gateway.keys.OpenKeyService;
import dev.dropzone.gateway.keys.UserHomes;
import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.format.FormatException;
import dev.dropzone.kek.format.ObjectMetadata;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.FormatPolicy;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.VirtualPath;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.s3.S3Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The files {@code decrypt} and {@code cat} read, straight from the bucket with the key service
 * alone: each through the tree of the user it belongs to, so every check a gateway makes before it
 * serves a byte is made here too, by the same code.
 */
final class StoredFiles implements AutoCloseable {

  /** A file or directory found for a source: the tree of its user and its path in there. */
  record Located(String user, String home, FileTree tree, VirtualPath path, FileInfo info) {}

  private final GatewaySettings settings;
  private final OpenKeyService keys;
  private final EncryptedStore store;
  private final UserKeys dataKeys;
  private final UserHomes homes;

  private StoredFiles(
      GatewaySettings settings,
      OpenKeyService keys,
      EncryptedStore store,
      UserKeys dataKeys,
      UserHomes homes) {
    this.settings = settings;
    this.keys = keys;
    this.store = store;
    this.dataKeys = dataKeys;
    this.homes = homes;
  }

  static StoredFiles open(GatewaySettings settings) throws IOException {
    UserHomes homes = UserHomes.of(settings);
    OpenKeyService keys = KeysCommand.open(settings);
    try {
      DataKeyCache cache = DataKeyCache.builder(keys.service()).build();
      // Both formats are read whatever keys.acceptFormatV1 says: an operator recovering a file
      // must be able to read it; a v1 file still has to name the user it is read for.
      EncryptedStore store = EncryptedStore.open(settings.s3(), new FormatPolicy(true));
      // Only ever asked for reading keys, so key records are never read or written.
      UserKeys dataKeys =
          UserKeys.builder(keys.service(), cache, store.keyRecords(), Runnable::run).build();
      return new StoredFiles(settings, keys, store, dataKeys, homes);
    } catch (RuntimeException e) {
      keys.close();
      throw e;
    }
  }

  /** Where {@code source} points: one file or a directory, with the tree to read it through. */
  Located locate(ObjectSource source) throws IOException {
    if (source.key != null) {
      return locateKey(source.key, source.user, source.home);
    }
    String home = homeOf(source.user, source.home);
    return located(source.user, home, VirtualPath.of(source.path));
  }

  /**
   * Every file below {@code dir} (depth first, sorted by name) and every directory, so that empty
   * directories are recreated too.
   */
  List<FileInfo> walk(Located dir) throws IOException {
    List<FileInfo> found = new ArrayList<>();
    walk(dir.tree(), dir.path(), found);
    return found;
  }

  private static void walk(FileTree tree, VirtualPath dir, List<FileInfo> found)
      throws IOException {
    List<FileInfo> entries;
    try (Stream<FileInfo> listed = tree.list(dir)) {
      entries = listed.sorted((a, b) -> a.path().compareTo(b.path())).toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (FileInfo entry : entries) {
      found.add(entry);
      if (entry.directory()) {
        walk(tree, entry.path(), found);
      }
    }
  }

  private Located locateKey(String key, String user, String home) throws IOException {
    String root = settings.s3().key("");
    if (!key.startsWith(root)) {
      throw new CommandFailure(
          Main.USAGE, "--key " + key + " is not below s3.prefix (" + root + ")");
    }
    boolean directory = key.endsWith("/");
    String owner = user != null ? user : writerOf(key);
    String ownerHome = homeOf(owner, home);
    String homeKey = settings.s3().key(ownerHome);
    if (!(key + "/").startsWith(homeKey + "/")) {
      throw new CommandFailure(
          Main.USAGE,
          "wrong user: --key "
              + key
              + " is not in the home of user "
              + owner
              + " ("
              + homeKey
              + "/); name its owner with --user (and --home if the users file does not give it)");
    }
    String rest = key.length() > homeKey.length() ? key.substring(homeKey.length() + 1) : "";
    Located found = located(owner, ownerHome, VirtualPath.of("/" + rest));
    if (directory && !found.info().directory()) {
      throw new StoreException(Reason.NOT_A_DIRECTORY, "--key " + key + " is a file");
    }
    return found;
  }

  private Located located(String user, String home, VirtualPath path) throws IOException {
    FileTree tree = store.tree(user, home, dataKeys);
    return new Located(user, home, tree, path, tree.stat(path));
  }

  /** The user an object's own metadata names: where a raw key without --user is read for. */
  private String writerOf(String key) throws IOException {
    if (key.endsWith("/")) {
      throw new CommandFailure(
          Main.USAGE, "--key " + key + " is a directory: name its owner with --user");
    }
    try (S3Client s3 = S3Clients.create(settings.s3())) {
      return ObjectMetadata.parse(
              s3.headObject(b -> b.bucket(settings.s3().bucket()).key(key)).metadata())
          .user();
    } catch (FormatException e) {
      throw new StoreException(
          Reason.INTEGRITY, key + " cannot be decrypted: " + e.getMessage(), e);
    } catch (SdkException e) {
      StoreException mapped = S3Errors.map(e, "read " + key);
      if (mapped.reason() == Reason.NOT_FOUND) {
        throw new StoreException(
            Reason.NOT_FOUND,
            "No object " + key + " (for a directory, name its owner with --user)",
            e);
      }
      throw mapped;
    }
  }

  private String homeOf(String user, String home) {
    try {
      return home == null ? homes.of(user) : HomePath.parse(home);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(Main.USAGE, "--home: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    store.close();
    keys.close();
  }
}
