package dev.dropzone.gateway.auth;

/** The user source could not decide (as opposed to: the credentials are wrong). */
public final class AuthenticationUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  public AuthenticationUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
