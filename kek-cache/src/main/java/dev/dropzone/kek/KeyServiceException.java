package dev.dropzone.kek;

/** Why a key could not be wrapped, unwrapped or resolved. */
public final class KeyServiceException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What kind of failure this is; decides whether a retry can help. */
  public enum Failure {
    /** The service could not be reached, timed out or answered 5xx: try again later. */
    UNAVAILABLE,
    /**
     * The service answered and refused: revoked or unknown master key, permission denied, or the
     * ciphertext does not authenticate under the master key.
     */
    REJECTED,
    /** The wrapped key or key record is malformed: a retry will fail the same way. */
    INVALID
  }

  private final Failure failure;

  public KeyServiceException(Failure failure, String message) {
    super(message);
    this.failure = failure;
  }

  public KeyServiceException(Failure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = failure;
  }

  public Failure failure() {
    return failure;
  }
}
