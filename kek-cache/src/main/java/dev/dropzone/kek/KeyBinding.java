package dev.dropzone.kek;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a wrapped data key is bound to: the key service authenticates this binding together with the
 * key (associated data, encryption context, derivation context), so a wrapped key copied to a place
 * with another binding does not unwrap there.
 *
 * <p>The binding always comes from the session that asks (its user name or its key domain), never
 * from the object or record being read: metadata is written by whoever can write to the bucket.
 *
 * @param scope what kind of name is bound; decides the on-bucket form of the binding
 * @param name the user name ({@link Scope#USER}) or the key domain ({@link Scope#DOMAIN})
 */
public record KeyBinding(Scope scope, String name) {

  /** The two generations of bindings; both stay readable. */
  public enum Scope {
    /** Object format v1 and v1 key records: the key is bound to the owner's user name. */
    USER,
    /**
     * Object format v2: the key is bound to the key domain the session is entitled to (its home, so
     * users sharing a home share the domain).
     */
    DOMAIN
  }

  public KeyBinding {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("key binding needs a non-empty " + describe(scope));
    }
  }

  /** The format v1 binding: the owner's user name. */
  public static KeyBinding user(String user) {
    return new KeyBinding(Scope.USER, user);
  }

  /** The format v2 binding: a key domain such as {@code users/alice}. */
  public static KeyBinding domain(String domain) {
    return new KeyBinding(Scope.DOMAIN, domain);
  }

  /**
   * The associated data providers with an AEAD master key (local keyset, PKCS#11) authenticate:
   * {@code dropzone/kek/v1:<user>} or {@code dropzone/kek/v2:<domain>}. The two prefixes keep a v1
   * user name and a v2 domain that are spelled alike from ever meaning the same binding.
   */
  public byte[] associatedData() {
    String prefix = scope == Scope.USER ? "dropzone/kek/v1:" : "dropzone/kek/v2:";
    return (prefix + name).getBytes(StandardCharsets.UTF_8);
  }

  private static String describe(Scope scope) {
    return scope == Scope.USER ? "user name" : "key domain";
  }

  /** For log lines: {@code user alice} or {@code key domain users/alice}. */
  @Override
  public String toString() {
    return describe(scope).replace(" name", "") + " " + name;
  }
}
