package dev.dropzone.store;

import dev.dropzone.kek.cache.DataKeyCache;
import dev.dropzone.kek.cache.UserKeys;
import dev.dropzone.kek.local.LocalKeyService;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * One gateway process's view of a store, wired as the gateway wires it: a real local key service,
 * the data-key cache and per-user key resolution recording keys through the store itself.
 */
final class StoreProcess implements AutoCloseable {
  final LocalKeyService keyService;
  final DataKeyCache cache;
  final EncryptedStore store;
  final UserKeys userKeys;

  /**
   * @param keyset the local key service's keyset file (made on first use)
   * @param blocking where key records are read and written
   */
  StoreProcess(S3Settings settings, Path keyset, Executor blocking) throws Exception {
    keyService = LocalKeyService.open(keyset);
    cache = DataKeyCache.builder(keyService).build();
    store = EncryptedStore.open(settings);
    userKeys = UserKeys.builder(keyService, cache, store.keyRecords(), blocking).build();
  }

  /** The file tree of {@code user}, at home {@code users/<user>}. */
  FileTree tree(String user) throws StoreException {
    return store.tree(user, "users/" + user, userKeys);
  }

  @Override
  public void close() {
    store.close();
  }
}
