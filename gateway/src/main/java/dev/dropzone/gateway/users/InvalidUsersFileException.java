package dev.dropzone.gateway.users;

import java.io.IOException;
import java.nio.file.Path;

/** The users file exists but cannot be used; the message names the file and the problem. */
public final class InvalidUsersFileException extends IOException {

  private static final long serialVersionUID = 1L;

  public InvalidUsersFileException(Path file, String problem, Throwable cause) {
    super("users file " + file + ": " + problem, cause);
  }
}
