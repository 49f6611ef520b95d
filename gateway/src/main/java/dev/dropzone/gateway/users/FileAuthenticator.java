package dev.dropzone.gateway.users;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.UserDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs users in from the users file. The file is re-read when it changes (checked on each login:
 * one stat call), so {@code dropzone users add} takes effect without a restart. A file that became
 * invalid refuses every login until it is fixed, rather than keeping users an administrator may
 * have just removed.
 */
public final class FileAuthenticator implements UserDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(FileAuthenticator.class);

  /** Checked for unknown users so they cost as much time as a wrong password. */
  private static final String DUMMY_HASH = PasswordHashes.hash("not-a-password".toCharArray());

  private record Snapshot(
      FileTime modified,
      long size,
      Object fileKey,
      UsersFile.Contents contents,
      Map<String, UserEntry> users) {
    boolean isCurrent(BasicFileAttributes attributes) {
      return attributes.lastModifiedTime().equals(modified)
          && attributes.size() == size
          && Objects.equals(attributes.fileKey(), fileKey);
    }
  }

  private final UsersFile file;
  private volatile Snapshot snapshot;

  public FileAuthenticator(UsersFile file) {
    this.file = file;
  }

  @Override
  public Optional<Account> authenticate(String username, char[] password)
      throws AuthenticationUnavailableException {
    Snapshot users = current();
    UserEntry user = users.users().get(username);
    if (user == null) {
      PasswordHashes.matches(password, DUMMY_HASH);
      return Optional.empty();
    }
    return PasswordHashes.matches(password, user.passwordHash())
        ? Optional.of(user.toAccount(users.contents().group(user.group())))
        : Optional.empty();
  }

  @Override
  public boolean hasUser(String username) throws AuthenticationUnavailableException {
    return current().users().containsKey(username);
  }

  private Snapshot current() throws AuthenticationUnavailableException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file.path(), BasicFileAttributes.class);
      Snapshot seen = snapshot;
      if (seen != null && seen.isCurrent(attributes)) {
        return seen;
      }
      return reload(attributes);
    } catch (NoSuchFileException e) {
      LOG.error(
          "Users file {} does not exist: every login fails until it is created with"
              + " 'dropzone users add --file {} NAME'",
          file.path(),
          file.path());
      throw new AuthenticationUnavailableException("users file is missing", e);
    } catch (IOException e) {
      LOG.error("Cannot use users file, every login fails until it is fixed: {}", e.getMessage());
      throw new AuthenticationUnavailableException("users file unusable: " + e.getMessage(), e);
    }
  }

  private synchronized Snapshot reload(BasicFileAttributes attributes) throws IOException {
    Snapshot seen = snapshot;
    if (seen != null && seen.isCurrent(attributes)) {
      return seen;
    }
    // Attributes are read before the content: a write that lands in between is seen next time.
    UsersFile.Contents contents = file.contents();
    List<UserEntry> users = contents.users();
    Snapshot fresh =
        new Snapshot(
            attributes.lastModifiedTime(),
            attributes.size(),
            attributes.fileKey(),
            contents,
            users.stream()
                .collect(Collectors.toUnmodifiableMap(UserEntry::name, Function.identity())));
    snapshot = fresh;
    LOG.info("Loaded {} user(s) from {}", users.size(), file.path());
    return fresh;
  }
}
