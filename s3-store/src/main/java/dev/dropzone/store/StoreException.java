package dev.dropzone.store;

import java.io.IOException;
import java.util.Objects;

/**
 * The one failure type the store reports. The gateway maps {@link Reason} to a protocol reply in
 * exactly one place; the message is written for the person at the client.
 */
public final class StoreException extends IOException {

  private static final long serialVersionUID = 1L;

  /** What went wrong, independent of the cause's type. */
  public enum Reason {
    NOT_FOUND,
    ALREADY_EXISTS,
    NOT_EMPTY,
    NOT_A_DIRECTORY,
    NOT_A_FILE,
    ACCESS_DENIED,
    INVALID_PATH,
    /** A restart offset lies beyond the end of the file. */
    OUT_OF_RANGE,
    /** Ciphertext failed authentication, was truncated, or is not a Dropzone object. */
    INTEGRITY,
    /** The key service could not be reached; a retry later can succeed. */
    KEY_SERVICE_UNAVAILABLE,
    /** The key service refused the key (revoked, deleted, wrong master key). */
    KEY_REJECTED,
    /** S3 could not be reached, failed or did not answer in time; a retry later can succeed. */
    STORAGE_UNAVAILABLE,
    /**
     * S3 refused the gateway's own request (HTTP 403, missing or rejected credentials): a fault of
     * the gateway's credentials or policies, never of the client.
     */
    STORAGE_DENIED,
    QUOTA,
    /** A multi-object operation stopped part way; the message lists what was done. */
    PARTIAL,
    /** The operation was cancelled (upload aborted, thread interrupted). */
    ABORTED,
    /** The file cannot do what was asked (e.g. a format v1 file has no time of its own to set). */
    NOT_SUPPORTED,
    /** An upload's content was refused by a check on it (a malware signature matched). */
    CONTENT_REJECTED,
    /** A required check on an upload's content (the malware scanner) could not run. */
    SCANNER_UNAVAILABLE,
    /** An upload is larger than a configured limit allows (e.g. what the scanner accepts). */
    TOO_LARGE,
    /**
     * The file was replaced (by another upload, possibly through another gateway) between two
     * requests of one operation that must see one version: a retry sees the new one.
     */
    CHANGED,
    /**
     * What a client sent is not in the form its transfer announced (a MODE Z stream that is not).
     */
    MALFORMED
  }

  private final Reason reason;

  public StoreException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason);
  }

  public StoreException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason);
  }

  public Reason reason() {
    return reason;
  }
}
