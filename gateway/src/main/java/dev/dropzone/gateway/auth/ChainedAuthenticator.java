package dev.dropzone.gateway.auth;

import java.util.List;
import java.util.Optional;

/**
 * Tries user sources in order (for example users file, then PAM, then LDAP); the first that accepts
 * decides the account. A source that is down does not keep a later one from accepting, but when
 * none accepts and one could not answer, the result is "unavailable": the user might have been
 * valid there, so the FTP layer must not count it as a failed login.
 *
 * <p>Order matters when a name exists in several sources: the earlier source's account wins.
 */
public final class ChainedAuthenticator implements Authenticator {

  private final List<Authenticator> backends;

  public ChainedAuthenticator(List<? extends Authenticator> backends) {
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("at least one authentication backend is needed");
    }
    this.backends = List.copyOf(backends);
  }

  @Override
  public Optional<Account> authenticate(String username, char[] password)
      throws AuthenticationUnavailableException {
    AuthenticationUnavailableException unavailable = null;
    for (Authenticator backend : backends) {
      try {
        Optional<Account> account = backend.authenticate(username, password);
        if (account.isPresent()) {
          return account;
        }
      } catch (AuthenticationUnavailableException e) {
        if (unavailable == null) {
          unavailable = e;
        } else {
          unavailable.addSuppressed(e);
        }
      }
    }
    if (unavailable != null) {
      throw unavailable;
    }
    return Optional.empty();
  }
}
