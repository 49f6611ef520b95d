package dev.dropzone.gateway.auth;

/** The user source could not decide (as opposed to: the credentials are wrong). */
public final class AuthenticationUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  private final boolean passwordChecked;

  public AuthenticationUnavailableException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * @param passwordChecked whether another source did check the password (and refused it, or the
   *     login failed for another reason): the attempt must then count as a failed login, or an
   *     outage of one source would let guesses at the other go uncounted
   */
  public AuthenticationUnavailableException(
      String message, Throwable cause, boolean passwordChecked) {
    super(message, cause);
    this.passwordChecked = passwordChecked;
  }

  public boolean passwordChecked() {
    return passwordChecked;
  }
}
