package dev.dropzone.kek.format;

/** Why an object's metadata cannot be read as Dropzone's object format. */
public final class FormatException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What kind of object it is. */
  public enum Kind {
    /** No {@code dz-format}: not written by Dropzone. */
    NOT_DROPZONE,
    /** A format or algorithm this version of Dropzone does not know (written by a newer one). */
    UNSUPPORTED,
    /** A Dropzone object whose metadata is missing a field or has a malformed one. */
    DAMAGED
  }

  private final Kind kind;

  public FormatException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
