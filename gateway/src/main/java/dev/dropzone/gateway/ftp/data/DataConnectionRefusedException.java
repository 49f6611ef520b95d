package dev.dropzone.gateway.ftp.data;

import java.io.IOException;

/**
 * A data connection that could not be made or was refused, with a message written for the client:
 * it goes into the 425 reply as it is, and into the log.
 */
public final class DataConnectionRefusedException extends IOException {

  private static final long serialVersionUID = 1L;

  public DataConnectionRefusedException(String message) {
    super(message);
  }

  public DataConnectionRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
