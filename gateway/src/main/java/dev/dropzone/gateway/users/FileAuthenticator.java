package dev.dropzone.gateway.users;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.LoginRevocation;
import dev.dropzone.gateway.auth.UserDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
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
 *
 * <p>A successful check is remembered for a short time ({@link VerifiedCredentials}), so the same
 * user logging in again with the same password skips the hash; wrong passwords and unknown users
 * always cost a full check, and any change of the file forgets every remembered success.
 *
 * <p>It also remembers when each user's entry last changed ({@link LoginRevocation}): a session
 * that logged in before its user was removed or changed is ended by the FTP layer.
 */
public final class FileAuthenticator implements UserDirectory, LoginRevocation {

  private static final Logger LOG = LoggerFactory.getLogger(FileAuthenticator.class);

  /** Checked for unknown users so they cost as much time as a wrong password. */
  private static final String DUMMY_HASH = PasswordHashes.hash("not-a-password".toCharArray());

  /**
   * @param version counts the reads of the file, starting at 1 ({@link #mark()})
   * @param changed the version in which each user's login was last changed in a way that ends
   *     sessions (see {@link #ending}), or appeared; a user not in it is unchanged since the file
   *     was first read
   */
  private record Snapshot(
      FileTime modified,
      long size,
      Object fileKey,
      UsersFile.Contents contents,
      Map<String, UserEntry> users,
      long version,
      Map<String, Long> changed) {
    boolean isCurrent(BasicFileAttributes attributes) {
      return attributes.lastModifiedTime().equals(modified)
          && attributes.size() == size
          && Objects.equals(attributes.fileKey(), fileKey);
    }
  }

  /**
   * How long a verified password is remembered unless configured ({@code auth.credentialCacheTtl}).
   */
  public static final Duration DEFAULT_CREDENTIAL_CACHE_TTL = Duration.ofMinutes(5);

  private static final String CHANGED =
      "changed in the users file (new password, home, fewer permissions or other scanning)";

  private final UsersFile file;
  private final PasswordCheck check;
  private final VerifiedCredentials verified;
  private volatile Snapshot snapshot;

  public FileAuthenticator(UsersFile file) {
    this(file, DEFAULT_CREDENTIAL_CACHE_TTL);
  }

  /**
   * @param credentialCacheTtl how long a verified password is remembered; zero turns it off
   */
  public FileAuthenticator(UsersFile file, Duration credentialCacheTtl) {
    this(file, credentialCacheTtl, PasswordHashes::matches, Ticker.systemTicker());
  }

  FileAuthenticator(
      UsersFile file, Duration credentialCacheTtl, PasswordCheck check, Ticker ticker) {
    this.file = file;
    this.check = check;
    this.verified = new VerifiedCredentials(credentialCacheTtl, ticker);
  }

  @Override
  public Optional<Account> authenticate(String username, char[] password)
      throws AuthenticationUnavailableException {
    Snapshot users = current();
    UserEntry user = users.users().get(username);
    if (user == null) {
      dummyCheck(password);
      return Optional.empty();
    }
    String hash = user.passwordHash();
    if (!verified.contains(username, password, hash)) {
      if (PasswordHashes.refusal(hash) != null) {
        // Never computed, since any client that knows the name could make the gateway pay it,
        // and refused as a wrong password at a standard hash's cost, so that trying the name
        // tells nobody it exists. The WARN at load says what to do.
        dummyCheck(password);
        return Optional.empty();
      }
      boolean matches;
      try {
        matches = check.matches(password, hash);
      } catch (HashMemory.UnavailableException e) {
        throw new AuthenticationUnavailableException(
            "user '"
                + username
                + "' cannot log in now: "
                + e.getMessage()
                + "; give the JVM more heap (-Xmx) or set a new password with 'dropzone users"
                + " passwd "
                + username
                + "'",
            e);
      }
      if (!matches) {
        return Optional.empty();
      }
      verified.add(username, password, hash);
    }
    return Optional.of(user.toAccount(users.contents().group(user.group())));
  }

  /** The check an unknown or refused name costs: the same as a standard hash's. */
  private void dummyCheck(char[] password) throws AuthenticationUnavailableException {
    try {
      check.matches(password, DUMMY_HASH);
    } catch (HashMemory.UnavailableException e) {
      throw new AuthenticationUnavailableException(
          "password checks are busy: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Account> recentlyVerified(String username, char[] password)
      throws AuthenticationUnavailableException {
    Snapshot users = current();
    UserEntry user = users.users().get(username);
    // An unknown name costs the same HMAC as a known one.
    String hash = user == null ? DUMMY_HASH : user.passwordHash();
    if (!verified.contains(username, password, hash) || user == null) {
      return Optional.empty();
    }
    return Optional.of(user.toAccount(users.contents().group(user.group())));
  }

  @Override
  public String backend() {
    return "file";
  }

  @Override
  public boolean hasUser(String username) throws AuthenticationUnavailableException {
    return current().users().containsKey(username);
  }

  @Override
  public long mark() {
    try {
      return load().version();
    } catch (IOException e) {
      // The check that follows meets the same problem and refuses the login.
      Snapshot seen = snapshot;
      return seen == null ? 0 : seen.version();
    }
  }

  @Override
  public Optional<String> revoked(Account account, long mark) {
    Snapshot users;
    try {
      users = load();
    } catch (IOException e) {
      // Logins report the file's problem; sessions carry on until it is readable again.
      LOG.debug("Cannot check logged-in users against {}: {}", file.path(), e.toString());
      return Optional.empty();
    }
    if (!users.users().containsKey(account.username())) {
      return Optional.of("removed from the users file");
    }
    Long changed = users.changed().get(account.username());
    if (changed != null && changed > mark) {
      return Optional.of(CHANGED);
    }
    return Optional.empty();
  }

  private Snapshot current() throws AuthenticationUnavailableException {
    try {
      return load();
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

  private Snapshot load() throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file.path(), BasicFileAttributes.class);
    Snapshot seen = snapshot;
    if (seen != null && seen.isCurrent(attributes)) {
      return seen;
    }
    return reload(attributes);
  }

  private synchronized Snapshot reload(BasicFileAttributes attributes) throws IOException {
    Snapshot seen = snapshot;
    if (seen != null && seen.isCurrent(attributes)) {
      return seen;
    }
    // Attributes are read before the content: a write that lands in between is seen next time.
    UsersFile.Contents contents = file.contents();
    List<UserEntry> users = contents.users();
    Map<String, UserEntry> byName =
        users.stream().collect(Collectors.toUnmodifiableMap(UserEntry::name, Function.identity()));
    long version = seen == null ? 1 : seen.version() + 1;
    Snapshot fresh =
        new Snapshot(
            attributes.lastModifiedTime(),
            attributes.size(),
            attributes.fileKey(),
            contents,
            byName,
            version,
            seen == null ? Map.of() : changes(seen, contents, byName, version));
    snapshot = fresh;
    // Passwords may have changed or users gone: nothing verified against the old file stands.
    verified.clear();
    LOG.info("Loaded {} user(s) from {}", users.size(), file.path());
    for (UserEntry user : users) {
      String refusal = PasswordHashes.refusal(user.passwordHash());
      if (refusal != null) {
        LOG.warn(
            "User '{}' of {} cannot log in (every attempt is refused as a wrong password): its"
                + " passwordHash is refused: {}; set a new password with 'dropzone users passwd"
                + " {}'",
            user.name(),
            file.path(),
            refusal,
            user.name());
      }
    }
    return fresh;
  }

  /**
   * The changes recorded in {@code before}, plus {@code version} for every user whose sessions must
   * end ({@link #ending}), and for every user that was not there before (a session may date from
   * before a removal).
   */
  private static Map<String, Long> changes(
      Snapshot before, UsersFile.Contents contents, Map<String, UserEntry> users, long version) {
    Map<String, Long> changed = new HashMap<>();
    for (UserEntry user : users.values()) {
      UserEntry old = before.users().get(user.name());
      if (old == null
          || ending(
              old,
              old.toAccount(before.contents().group(old.group())),
              user,
              user.toAccount(contents.group(user.group())))) {
        changed.put(user.name(), version);
      } else if (before.changed().containsKey(user.name())) {
        changed.put(user.name(), before.changed().get(user.name()));
      }
    }
    return Map.copyOf(changed);
  }

  /**
   * Whether a change of a user ends their open sessions: a new password (the usual way to lock out
   * whoever has the old one), another home, fewer permissions (also through their group), or other
   * scanning. More permissions and other limits apply from the next login, without cutting off
   * transfers that are running.
   */
  private static boolean ending(UserEntry old, Account before, UserEntry user, Account after) {
    return !old.passwordHash().equals(user.passwordHash())
        || !before.home().equals(after.home())
        || !after.permissions().containsAll(before.permissions())
        || !Objects.equals(before.scanUploads(), after.scanUploads());
  }
}
