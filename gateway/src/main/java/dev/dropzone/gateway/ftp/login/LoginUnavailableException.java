package dev.dropzone.gateway.ftp.login;

import org.apache.ftpserver.ftplet.AuthenticationFailedException;

/** The user source could not decide; the client is told to retry and no failure is counted. */
public final class LoginUnavailableException extends AuthenticationFailedException {

  private static final long serialVersionUID = 1L;

  public LoginUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
