package dev.dropzone.gateway.config;

import dev.dropzone.gateway.auth.ldap.LdapSettings;
import dev.dropzone.gateway.auth.pam.PamSettings;
import dev.dropzone.gateway.users.FileAuthenticator;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Which user sources log users in, in the order they are tried, and how each is set up.
 *
 * @param backends the sources in order; the first that accepts decides the account
 * @param pam PAM settings; null unless {@link Backend#PAM} is listed
 * @param ldap LDAP settings; null unless {@link Backend#LDAP} is listed
 * @param credentialCacheTtl how long the users file backend remembers a verified password; zero
 *     turns it off
 */
public record AuthSettings(
    List<Backend> backends, PamSettings pam, LdapSettings ldap, Duration credentialCacheTtl) {

  /** A user source as named in {@code auth.backends}. */
  public enum Backend {
    /** The users file ({@code users.file}). */
    FILE,
    /** Linux system accounts through PAM. */
    PAM,
    /** An LDAP directory. */
    LDAP;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public AuthSettings {
    backends = List.copyOf(backends);
  }

  /** Only the users file, as before {@code auth} existed. */
  public static AuthSettings fileOnly() {
    return new AuthSettings(
        List.of(Backend.FILE), null, null, FileAuthenticator.DEFAULT_CREDENTIAL_CACHE_TTL);
  }

  public boolean uses(Backend backend) {
    return backends.contains(backend);
  }
}
