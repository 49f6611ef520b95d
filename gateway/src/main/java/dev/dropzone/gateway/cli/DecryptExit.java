package dev.dropzone.gateway.cli;

import dev.dropzone.store.StoreException;

/** The exit codes of {@code decrypt} and {@code cat}, beyond {@link Main}'s 0, 1 and 2. */
final class DecryptExit {

  /** The object failed a check (tampered, truncated, copied, swapped, its key refused). */
  static final int REFUSED = 3;

  /** No such object or directory. */
  static final int NOT_FOUND = 4;

  private DecryptExit() {}

  /** The exit code for a failed read of one file. */
  static int of(StoreException e) {
    return switch (e.reason()) {
      case INTEGRITY, KEY_REJECTED -> REFUSED;
      case NOT_FOUND -> NOT_FOUND;
      case INVALID_PATH, NOT_A_FILE, NOT_A_DIRECTORY -> Main.USAGE;
      default -> Main.FAILED;
    };
  }

  /** What went wrong, with what to do where the store's message does not say it. */
  static String describe(StoreException e) {
    String hint =
        switch (e.reason()) {
          case KEY_SERVICE_UNAVAILABLE -> " (check that the key service is up and reachable)";
          case STORAGE_DENIED -> " (access denied)";
          case KEY_REJECTED ->
              " (the master key was revoked or is the wrong one, or the file was made for another"
                  + " home or user)";
          default -> "";
        };
    return e.getMessage() + hint;
  }

  /** The failure of the whole command over {@code what}. */
  static CommandFailure failure(String what, StoreException e) {
    return new CommandFailure(of(e), what + ": " + describe(e), e);
  }
}
