package dev.dropzone.gateway.auth;

import dev.dropzone.gateway.logging.LogText;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries user sources in order (for example users file, then PAM, then LDAP); the first that accepts
 * the password decides the account, unless the name belongs to a source listed before it.
 *
 * <p>A user's name is their identity: it names their home and their data key. If two sources could
 * both hand out "alice", whoever controls the later source's names (a directory administrator, a
 * Linux account) could log in as the earlier source's alice and read her files. So each name
 * belongs to the first source that has it: a later source's user of the same name is refused (and
 * the log says why), and when an earlier source cannot be asked whether it has the name, the login
 * is "unavailable" rather than let through.
 *
 * <p>When no source accepts and one could not answer, the result is "unavailable": the user might
 * have been valid there. The exception then says whether another source did check the password, in
 * which case the FTP layer still counts a failed login.
 */
public final class ChainedAuthenticator implements Authenticator, LoginRevocation {

  private static final Logger LOG = LoggerFactory.getLogger(ChainedAuthenticator.class);

  /**
   * One source in the chain.
   *
   * @param name as in {@code auth.backends}, for log lines
   * @param directory the source
   */
  public record Source(String name, UserDirectory directory) {
    public Source {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(directory, "directory");
    }
  }

  private final List<Source> sources;

  public ChainedAuthenticator(List<Source> sources) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("at least one authentication backend is needed");
    }
    this.sources = List.copyOf(sources);
  }

  @Override
  public Optional<Account> authenticate(String username, char[] password)
      throws AuthenticationUnavailableException {
    AuthenticationUnavailableException unavailable = null;
    boolean checked = false;
    for (int i = 0; i < sources.size(); i++) {
      Optional<Account> account;
      try {
        account = sources.get(i).directory().authenticate(username, password);
      } catch (AuthenticationUnavailableException e) {
        unavailable = merge(unavailable, e);
        continue;
      }
      if (account.isEmpty()) {
        checked = true;
        continue;
      }
      return ownedByEarlier(i, account.get().username())
          ? Optional.empty()
          : Optional.of(account.get().from(sources.get(i).name()));
    }
    if (unavailable != null) {
      throw new AuthenticationUnavailableException(
          unavailable.getMessage(), unavailable, checked || unavailable.passwordChecked());
    }
    return Optional.empty();
  }

  /**
   * What the first source remembers. A later source's memory would not do: whether an earlier
   * source owns the name has to be asked (of LDAP, say), which is no longer cheap.
   */
  @Override
  public Optional<Account> recentlyVerified(String username, char[] password)
      throws AuthenticationUnavailableException {
    Source first = sources.get(0);
    return first.directory().recentlyVerified(username, password).map(a -> a.from(first.name()));
  }

  @Override
  public String backend() {
    return sources.stream().map(Source::name).collect(Collectors.joining("+"));
  }

  /** The mark of the chain's one source that can take logins back (each source appears once). */
  @Override
  public long mark() {
    for (Source source : sources) {
      if (source.directory() instanceof LoginRevocation revocation) {
        return revocation.mark();
      }
    }
    return 0;
  }

  /** Asked of the source that accepted the login, if it can take logins back. */
  @Override
  public Optional<String> revoked(Account account, long mark) {
    for (Source source : sources) {
      if (source.name().equals(account.backend())
          && source.directory() instanceof LoginRevocation revocation) {
        return revocation.revoked(account, mark);
      }
    }
    return Optional.empty();
  }

  /**
   * True (and logged) when a source before {@code accepting} has the user {@code name}.
   *
   * @throws AuthenticationUnavailableException when one of them cannot tell
   */
  private boolean ownedByEarlier(int accepting, String name)
      throws AuthenticationUnavailableException {
    Source acceptedBy = sources.get(accepting);
    for (Source earlier : sources.subList(0, accepting)) {
      boolean has;
      try {
        has = earlier.directory().hasUser(name);
      } catch (AuthenticationUnavailableException e) {
        LOG.warn(
            "Login of {} refused as unavailable: {} accepted the password, but {} (listed before"
                + " it in auth.backends) cannot tell whether it has a user of that name: {}. List"
                + " the source that must keep working first, or fix {}",
            LogText.of(name),
            acceptedBy.name(),
            earlier.name(),
            e.getMessage(),
            earlier.name());
        throw new AuthenticationUnavailableException(
            earlier.name() + " cannot tell whether it has the user", e, true);
      }
      if (has) {
        LOG.warn(
            "Login of {} refused: {} accepted the password, but the name belongs to {}, listed"
                + " before it in auth.backends. A name may exist in one user source only (it names"
                + " the home and the data key): rename or remove one of the two",
            LogText.of(name),
            acceptedBy.name(),
            earlier.name());
        return true;
      }
    }
    return false;
  }

  private static AuthenticationUnavailableException merge(
      AuthenticationUnavailableException first, AuthenticationUnavailableException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
