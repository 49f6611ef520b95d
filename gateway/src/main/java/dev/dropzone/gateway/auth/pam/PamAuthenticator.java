package dev.dropzone.gateway.auth.pam;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.HomePath;
import dev.dropzone.gateway.auth.UserDirectory;
import dev.dropzone.gateway.logging.LogText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jvnet.libpam.PAM;
import org.jvnet.libpam.PAMException;
import org.jvnet.libpam.UnixUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux system users through PAM. Root, system accounts (UID below the minimum) and accounts with a
 * no-login shell are refused here even when the PAM service file lets them through, so a lax
 * service file cannot open the gateway to them.
 *
 * <p>Calls block for as long as PAM takes (about 2 s on a wrong password, by design of pam_unix);
 * the FTP layer runs them off its I/O threads. Every PAM failure is reported as invalid
 * credentials; the reason PAM gave is logged at INFO, never the password.
 */
public final class PamAuthenticator implements UserDirectory {

  private static final Logger log = LoggerFactory.getLogger(PamAuthenticator.class);

  private final PamSettings settings;

  /**
   * @throws IllegalStateException when the PAM service file does not exist or libpam cannot be
   *     loaded: starting anyway would silently authenticate through PAM's {@code other} service
   */
  public PamAuthenticator(PamSettings settings) {
    this.settings = settings;
    Path file = serviceFile(settings);
    try {
      new PAM(settings.service()).dispose();
    } catch (PAMException | LinkageError e) {
      String message =
          "PAM could not be started for service '"
              + settings.service()
              + "' ("
              + e.getMessage()
              + "); install libpam (Debian: libpam0g)";
      log.error("{}; the PAM backend is not available", message);
      throw new IllegalStateException(message, e);
    }
    log.info("PAM backend uses service file {}", file);
  }

  private static Path serviceFile(PamSettings settings) {
    for (Path dir : settings.serviceDirectories()) {
      Path file = dir.resolve(settings.service());
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    String message =
        "PAM service file '"
            + settings.service()
            + "' not found in "
            + settings.serviceDirectories()
            + "; install the service file shipped with Dropzone as /etc/pam.d/"
            + settings.service()
            + " (PAM would otherwise use its 'other' service, which admits root and no-login"
            + " accounts)";
    log.error(message);
    throw new IllegalStateException(message);
  }

  @Override
  public Optional<Account> authenticate(String username, char[] password) {
    if (HomePath.under(settings.homePrefix(), username).isEmpty()) {
      // The name is not echoed: it may hold control characters meant for the log.
      log.info("PAM login refused: the user name cannot be a home directory name");
      return Optional.empty();
    }
    // pam_unix's nullok would accept any password for an account without one; never ask.
    if (password.length == 0) {
      log.info("PAM login for {} refused: empty password", LogText.of(username));
      return Optional.empty();
    }
    if (username.equals("root")) {
      log.info("PAM login for 'root' refused: root may never log in");
      return Optional.empty();
    }
    UnixUser user;
    PAM pam = null;
    try {
      pam = new PAM(settings.service());
      // libpam4j takes the password as a String; it is handed to PAM's conversation and dropped.
      user = pam.authenticate(username, new String(password));
    } catch (PAMException e) {
      log.info(
          "PAM login for {} refused by service '{}': {}",
          LogText.of(username),
          settings.service(),
          e.getMessage());
      return Optional.empty();
    } finally {
      if (pam != null) {
        pam.dispose();
      }
    }
    return accept(user);
  }

  /**
   * True for a Linux account this backend could log in: one with a usable name and a UID at or
   * above the minimum. System accounts cannot log in here, so they own no name.
   */
  @Override
  public String backend() {
    return "pam";
  }

  @Override
  public boolean hasUser(String username) {
    if (HomePath.under(settings.homePrefix(), username).isEmpty() || username.equals("root")) {
      return false;
    }
    try {
      return new UnixUser(username).getUID() >= settings.minimumUid();
    } catch (PAMException noSuchAccount) {
      return false;
    }
  }

  private Optional<Account> accept(UnixUser user) {
    String name = user.getUserName();
    if (user.getUID() == 0) {
      log.info("PAM login for '{}' refused: UID 0 may never log in", name);
      return Optional.empty();
    }
    if (user.getUID() < settings.minimumUid()) {
      log.info(
          "PAM login for '{}' refused: UID {} is below the minimum {} (system account)",
          name,
          user.getUID(),
          settings.minimumUid());
      return Optional.empty();
    }
    if (settings.refusedShells().contains(user.getShell())) {
      log.info("PAM login for '{}' refused: login shell {} is refused", name, user.getShell());
      return Optional.empty();
    }
    Optional<String> home = HomePath.under(settings.homePrefix(), name);
    if (home.isEmpty()) {
      log.info("PAM login refused: PAM returned a user name that cannot be a home directory name");
      return Optional.empty();
    }
    return Optional.of(new Account(name, home.get(), settings.permissions()));
  }
}
