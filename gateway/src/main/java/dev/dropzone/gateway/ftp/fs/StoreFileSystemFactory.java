package dev.dropzone.gateway.ftp.fs;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.ftp.login.AccountUser;
import dev.dropzone.gateway.scan.UploadScanning;
import dev.dropzone.kek.DataKeys;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.store.EncryptedStore;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.StoreException;
import org.apache.ftpserver.ftplet.FileSystemFactory;
import org.apache.ftpserver.ftplet.FileSystemView;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each logged-in user a view over their home in the store (with scanned uploads when scanning
 * applies to them), and starts resolving their data key in the background so the first upload does
 * not pay for it (login never waits for it).
 */
public final class StoreFileSystemFactory implements FileSystemFactory {

  private static final Logger LOG = LoggerFactory.getLogger(StoreFileSystemFactory.class);

  private final EncryptedStore store;
  private final DataKeys keys;
  private final UploadScanning scanning;

  public StoreFileSystemFactory(EncryptedStore store, DataKeys keys, UploadScanning scanning) {
    this.store = store;
    this.keys = keys;
    this.scanning = scanning;
  }

  @Override
  public FileSystemView createFileSystemView(User user) throws FtpException {
    Account account = ((AccountUser) user).account();
    try {
      FileTree stored = store.tree(account.username(), account.home(), keys);
      StoreView view =
          new StoreView(
              account,
              scanning.apply(account, stored),
              stored,
              store.settings().commandDeadline(),
              store.redaction(account.home())::apply);
      warmUpKey(EncryptedStore.owner(account.username(), account.home()));
      return view;
    } catch (StoreException e) {
      LOG.error(
          "User {} has an unusable home '{}': {}; fix the home in the user source",
          account.username(),
          account.home(),
          e.getMessage());
      throw new FtpException(e.getMessage(), e);
    }
  }

  private void warmUpKey(KeyOwner owner) {
    keys.forWriting(owner)
        .whenComplete(
            (key, failure) -> {
              if (failure != null) {
                LOG.warn(
                    "Could not resolve the data key of {} at login: {}; uploads will retry it,"
                        + " check the key service",
                    owner,
                    failure.getMessage());
              }
            });
  }
}
