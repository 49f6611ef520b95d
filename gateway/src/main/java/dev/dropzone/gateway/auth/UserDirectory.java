package dev.dropzone.gateway.auth;

/**
 * A user source that can also tell, without a password, whether a login name is one of its users.
 * {@link ChainedAuthenticator} asks it to keep the name spaces of several sources apart.
 */
public interface UserDirectory extends Authenticator {

  /**
   * @return true when {@code username} is a user of this source, whether or not they could log in
   *     right now (a directory entry outside the access group still owns its name)
   * @throws AuthenticationUnavailableException when the source cannot tell
   */
  boolean hasUser(String username) throws AuthenticationUnavailableException;
}
