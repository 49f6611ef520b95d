package dev.dropzone.kek;

import java.io.IOException;

/**
 * A key record that exists but cannot be read as one (not JSON, a field missing or malformed, an
 * unknown version): asking again gets the same answer, unlike an unreachable store.
 */
public final class DamagedKeyRecordException extends IOException {

  private static final long serialVersionUID = 1L;

  public DamagedKeyRecordException(String message) {
    super(message);
  }

  public DamagedKeyRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
