package dev.dropzone.gateway.runtime;

import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.auth.ChainedAuthenticator;
import dev.dropzone.gateway.auth.UserDirectory;
import dev.dropzone.gateway.auth.ldap.LdapAuthenticator;
import dev.dropzone.gateway.auth.pam.PamAuthenticator;
import dev.dropzone.gateway.config.AuthSettings;
import dev.dropzone.gateway.config.AuthSettings.Backend;
import dev.dropzone.gateway.users.FileAuthenticator;
import dev.dropzone.gateway.users.UsersFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured user sources ({@code auth.backends}) chained in order, owning what they hold open
 * (the LDAP connection pool).
 */
public final class UserSources implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UserSources.class);

  private final Authenticator authenticator;
  private final List<AutoCloseable> resources;

  private UserSources(Authenticator authenticator, List<AutoCloseable> resources) {
    this.authenticator = authenticator;
    this.resources = resources;
  }

  /**
   * Opens every listed backend; if one cannot be opened, those already opened are closed again.
   *
   * @throws IllegalStateException naming the backend that cannot be used (PAM service file missing,
   *     LDAP trust file unreadable)
   */
  public static UserSources open(AuthSettings settings, Path usersFile) {
    List<ChainedAuthenticator.Source> chain = new ArrayList<>();
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      for (Backend backend : settings.backends()) {
        UserDirectory directory =
            switch (backend) {
              case FILE ->
                  new FileAuthenticator(new UsersFile(usersFile), settings.credentialCacheTtl());
              case PAM -> new PamAuthenticator(settings.pam());
              case LDAP -> {
                LdapAuthenticator ldap = new LdapAuthenticator(settings.ldap());
                resources.add(ldap);
                yield ldap;
              }
            };
        chain.add(new ChainedAuthenticator.Source(backend.configName(), directory));
      }
    } catch (RuntimeException e) {
      new UserSources(null, resources).close();
      throw new IllegalStateException(
          "auth.backends: backend '"
              + settings.backends().get(chain.size()).configName()
              + "' cannot be used: "
              + e.getMessage(),
          e);
    }
    LOG.info(
        "Users log in through {} (tried in this order)",
        settings.backends().stream().map(Backend::configName).toList());
    return new UserSources(
        chain.size() == 1 ? chain.get(0).directory() : new ChainedAuthenticator(chain), resources);
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  @Override
  public void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("User source did not close cleanly: {}", e.toString());
      }
    }
  }
}
