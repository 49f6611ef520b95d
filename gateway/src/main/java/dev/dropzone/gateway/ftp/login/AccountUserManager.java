package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.AuthenticationUnavailableException;
import dev.dropzone.gateway.auth.Authenticator;
import java.util.Optional;
import org.apache.ftpserver.ftplet.Authentication;
import org.apache.ftpserver.ftplet.AuthenticationFailedException;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.User;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.usermanager.UsernamePasswordAuthentication;

/**
 * MINA's user manager over Dropzone's {@link Authenticator}. Only username/password logins exist:
 * anonymous logins are refused. Users are administered in their source, never through FTP.
 */
public final class AccountUserManager implements UserManager {

  private final Authenticator authenticator;
  private final int maxIdleSeconds;

  public AccountUserManager(Authenticator authenticator, int maxIdleSeconds) {
    this.authenticator = authenticator;
    this.maxIdleSeconds = maxIdleSeconds;
  }

  @Override
  public User authenticate(Authentication authentication) throws AuthenticationFailedException {
    if (!(authentication instanceof UsernamePasswordAuthentication login)
        || login.getUsername() == null
        || login.getPassword() == null) {
      throw new AuthenticationFailedException("only username and password logins are accepted");
    }
    char[] password = login.getPassword().toCharArray();
    Optional<Account> account;
    try {
      account = authenticator.authenticate(login.getUsername(), password);
    } catch (AuthenticationUnavailableException e) {
      throw new LoginUnavailableException(e.getMessage(), e);
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
    return account
        .map(a -> new AccountUser(a, maxIdleSeconds))
        .orElseThrow(() -> new AuthenticationFailedException("wrong username or password"));
  }

  /** Users cannot be looked up without their password: the source only answers logins. */
  @Override
  public User getUserByName(String username) {
    return null;
  }

  @Override
  public String[] getAllUserNames() {
    return new String[0];
  }

  @Override
  public void delete(String username) throws FtpException {
    throw new FtpException("users are managed in the user source, not over FTP");
  }

  @Override
  public void save(User user) throws FtpException {
    throw new FtpException("users are managed in the user source, not over FTP");
  }

  @Override
  public boolean doesExist(String username) {
    return false;
  }

  /** Nobody administers the server over FTP (MINA's SITE admin commands stay closed). */
  @Override
  public String getAdminName() {
    return null;
  }

  @Override
  public boolean isAdmin(String username) {
    return false;
  }
}
