package dev.dropzone.gateway.users;

import com.password4j.Argon2Function;
import com.password4j.BcryptFunction;
import com.password4j.Password;
import com.password4j.types.Argon2;
import java.nio.CharBuffer;

/**
 * Password hashes of the users file. New hashes are Argon2id with the OWASP baseline parameters (19
 * MiB memory, 2 iterations, 1 lane, 16-byte salt, 32-byte output; about 30 ms per check here);
 * bcrypt hashes ({@code $2a$}, {@code $2b$}, {@code $2y$}) made by other tools are verified too.
 */
public final class PasswordHashes {

  static final int MEMORY_KIB = 19 * 1024;
  static final int ITERATIONS = 2;
  static final int PARALLELISM = 1;
  static final int OUTPUT_BYTES = 32;
  static final int SALT_BYTES = 16;

  private static final Argon2Function ARGON2ID =
      Argon2Function.getInstance(MEMORY_KIB, ITERATIONS, PARALLELISM, OUTPUT_BYTES, Argon2.ID);

  private PasswordHashes() {}

  /** A new Argon2id hash in the PHC string form {@code $argon2id$v=19$m=...}. */
  public static String hash(char[] password) {
    return Password.hash(CharBuffer.wrap(password))
        .addRandomSalt(SALT_BYTES)
        .with(ARGON2ID)
        .getResult();
  }

  /** True when {@code password} matches {@code hash}; false for any hash it cannot read. */
  public static boolean matches(char[] password, String hash) {
    CharBuffer candidate = CharBuffer.wrap(password);
    try {
      if (hash.startsWith("$argon2id$")) {
        return Argon2Function.getInstanceFromHash(hash).check(candidate, hash);
      }
      if (isBcrypt(hash)) {
        return BcryptFunction.getInstanceFromHash(hash).check(candidate, hash);
      }
    } catch (RuntimeException malformed) {
      // A damaged hash is a wrong password, not a crash of the login path.
      return false;
    }
    return false;
  }

  /** True for the hash forms {@link #matches} understands. */
  public static boolean isSupported(String hash) {
    return hash != null && (hash.startsWith("$argon2id$") || isBcrypt(hash));
  }

  private static boolean isBcrypt(String hash) {
    return hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$");
  }
}
