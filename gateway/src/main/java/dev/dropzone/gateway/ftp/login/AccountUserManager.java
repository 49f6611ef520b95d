package dev.dropzone.gateway.ftp.login;

import org.apache.ftpserver.ftplet.Authentication;
import org.apache.ftpserver.ftplet.AuthenticationFailedException;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.User;
import org.apache.ftpserver.ftplet.UserManager;

/**
 * The user manager MINA requires. Passwords are checked by Dropzone's PASS ({@link LoginCommand}),
 * never through here; users are administered in their source, never through FTP, and cannot be
 * looked up without their password.
 */
public final class AccountUserManager implements UserManager {

  /** Nothing logs in through MINA's own path. */
  @Override
  public User authenticate(Authentication authentication) throws AuthenticationFailedException {
    throw new AuthenticationFailedException("logins are checked by Dropzone's PASS command");
  }

  /** Users cannot be looked up without their password. */
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
