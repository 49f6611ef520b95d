package dev.dropzone.store;

/**
 * Which object formats the store serves.
 *
 * @param acceptFormatV1 whether format v1 objects (bound to a user name, not to a home and path)
 *     are still served to their writer; once every object is upgraded ({@code dropzone keys
 *     upgrade}), turning this off closes what v1 leaves open
 */
public record FormatPolicy(boolean acceptFormatV1) {

  /** v1 objects stay readable until an operator says otherwise. */
  public static final FormatPolicy DEFAULT = new FormatPolicy(true);
}
