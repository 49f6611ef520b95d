package dev.dropzone.kek.kms;

/**
 * The ways KMS lets a key be named: key id ({@code 1234abcd-...} or {@code mrk-...}), key ARN
 * ({@code arn:aws:kms:<region>:<account>:key/<id>}), alias ({@code alias/<name>}) or alias ARN.
 */
final class KeyIds {

  private KeyIds() {}

  /** Whether {@code id} names an alias, which can be moved from one key to another. */
  static boolean isAlias(String id) {
    return id.startsWith("alias/") || (id.startsWith("arn:") && id.contains(":alias/"));
  }

  /**
   * Whether {@code id} (a key id or key ARN, as configured) names the key whose ARN is {@code arn}.
   * Aliases never match here: what they name is only known by asking KMS.
   */
  static boolean names(String id, String arn) {
    if (id.equals(arn)) {
      return true;
    }
    return !id.startsWith("arn:") && !isAlias(id) && arn.endsWith(":key/" + id);
  }
}
