package dev.dropzone.gateway.users;

import com.password4j.BcryptFunction;
import java.nio.CharBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Password hashes of the users file. New hashes are Argon2id with the OWASP baseline parameters (19
 * MiB memory, 2 iterations, 1 lane, 16-byte salt, 32-byte output; about 30 ms per check here);
 * bcrypt hashes ({@code $2a$}, {@code $2b$}, {@code $2y$}) made by other tools are verified too.
 *
 * <p>Every login with a known name runs its user's hash, whether the password is right or not, so a
 * hash's cost is a cost anyone who knows the name can make the gateway pay. Imported hashes are
 * therefore held to bounds ({@link #tooCostly}), and the Argon2id hashes being checked at once hold
 * together at most the password checks' share of the heap ({@link HashMemory}).
 */
public final class PasswordHashes {

  static final int MEMORY_KIB = 19 * 1024;
  static final int ITERATIONS = 2;
  static final int PARALLELISM = 1;
  static final int OUTPUT_BYTES = 32;
  static final int SALT_BYTES = 16;

  /**
   * The most an imported Argon2id hash may ask for: 256 MiB, 10 passes, 8 lanes, 64-byte output.
   * SFTPGo's defaults (64 MiB, 1 pass, 2 lanes) and RFC 9106's second recommendation (64 MiB, 3
   * passes, 4 lanes) fit; its first (2 GiB per check) does not belong on a login path.
   */
  static final int MAX_MEMORY_KIB = 256 * 1024;

  static final int MAX_ITERATIONS = 10;
  static final int MAX_PARALLELISM = 8;
  static final int MAX_OUTPUT_BYTES = 64;

  /** The most an imported bcrypt hash may ask for: 2^14 rounds, about a second per check. */
  static final int MAX_BCRYPT_COST = 14;

  /** The share of the heap the password checks size themselves by (as PasswordChecks does). */
  private static final int HEAP_SHARE_DIVISOR = 8;

  /** The longest a check waits for {@link #MEMORY} before the login is answered as unavailable. */
  static final Duration MEMORY_WAIT = Duration.ofSeconds(10);

  private static final HashMemory MEMORY =
      new HashMemory(
          Math.max(MEMORY_KIB, Runtime.getRuntime().maxMemory() / HEAP_SHARE_DIVISOR / 1024),
          MEMORY_WAIT);

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A bcrypt hash as every tool writes it: version, cost 04–31, salt and hash in 53 characters. */
  private static final Pattern BCRYPT =
      Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");

  private PasswordHashes() {}

  /** A new Argon2id hash in the PHC string form {@code $argon2id$v=19$m=...}. */
  public static String hash(char[] password) {
    return Argon2idHash.create(
            password, MEMORY_KIB, ITERATIONS, PARALLELISM, SALT_BYTES, OUTPUT_BYTES, RANDOM)
        .format();
  }

  /**
   * True when {@code password} matches {@code hash}; false for any hash it cannot read.
   *
   * @throws HashMemory.UnavailableException when the hash needs more memory than the password
   *     checks' share of this heap holds at all, or did not get it in time
   */
  public static boolean matches(char[] password, String hash) {
    return matches(password, hash, MEMORY);
  }

  static boolean matches(char[] password, String hash, HashMemory memory) {
    if (hash.startsWith(Argon2idHash.PREFIX)) {
      Argon2idHash argon2;
      try {
        argon2 = Argon2idHash.parse(hash);
      } catch (IllegalArgumentException malformed) {
        // A damaged hash is a wrong password, not a crash of the login path.
        return false;
      }
      if (tooCostly(argon2) != null) {
        return false;
      }
      try (HashMemory.Reservation held = memory.reserve(argon2.memoryKib())) {
        return argon2.matches(password);
      } catch (IllegalArgumentException | IllegalStateException malformed) {
        if (malformed instanceof HashMemory.UnavailableException unavailable) {
          throw unavailable;
        }
        return false;
      }
    }
    try {
      return isBcrypt(hash)
          && BcryptFunction.getInstanceFromHash(hash).check(CharBuffer.wrap(password), hash);
    } catch (RuntimeException malformed) {
      return false;
    }
  }

  /**
   * Why {@code hash} is never computed here, or null when it is: it cannot be read, or it asks more
   * of a login than this gateway allows ({@link #tooCostly}).
   */
  public static String refusal(String hash) {
    return refusal(hash, MEMORY);
  }

  /** As {@link #refusal(String)}, for checks that share {@code memory}. */
  static String refusal(String hash, HashMemory memory) {
    if (hash.startsWith(Argon2idHash.PREFIX)) {
      Argon2idHash argon2;
      try {
        argon2 = Argon2idHash.parse(hash);
      } catch (IllegalArgumentException e) {
        return "it cannot be read as an Argon2id hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash): "
            + e.getMessage();
      }
      String tooCostly = tooCostly(argon2);
      return tooCostly != null ? tooCostly : memory.tooLarge(argon2.memoryKib());
    }
    if (isBcrypt(hash)) {
      return BCRYPT.matcher(hash).matches()
          ? tooCostly(hash)
          : "it cannot be read as a bcrypt hash ($2b$NN$ and 53 characters)";
    }
    return "it is neither an Argon2id nor a bcrypt hash";
  }

  /**
   * Why {@code hash} asks more of a login than this gateway allows (see {@link #MAX_MEMORY_KIB},
   * {@link #MAX_BCRYPT_COST}), or null when it does not. Reads the hash's parameters only: judging
   * a hash costs nothing. Unreadable hashes are {@link #isSupported}'s to refuse.
   */
  public static String tooCostly(String hash) {
    try {
      if (hash.startsWith(Argon2idHash.PREFIX)) {
        return tooCostly(Argon2idHash.parse(hash));
      }
      if (isBcrypt(hash)) {
        int cost = bcryptCost(hash);
        if (cost > MAX_BCRYPT_COST) {
          return "its bcrypt cost "
              + cost
              + " exceeds what a login may cost here ("
              + MAX_BCRYPT_COST
              + ")";
        }
      }
    } catch (IllegalArgumentException malformed) {
      return null;
    }
    return null;
  }

  private static String tooCostly(Argon2idHash argon2) {
    if (argon2.memoryKib() <= MAX_MEMORY_KIB
        && argon2.iterations() <= MAX_ITERATIONS
        && argon2.lanes() <= MAX_PARALLELISM
        && argon2.hash().length <= MAX_OUTPUT_BYTES) {
      return null;
    }
    return "its Argon2id parameters (m="
        + argon2.memoryKib()
        + " KiB, t="
        + argon2.iterations()
        + ", p="
        + argon2.lanes()
        + ", "
        + argon2.hash().length
        + "-byte output) exceed what a login may cost here (m="
        + MAX_MEMORY_KIB
        + ", t="
        + MAX_ITERATIONS
        + ", p="
        + MAX_PARALLELISM
        + ", "
        + MAX_OUTPUT_BYTES
        + " bytes)";
  }

  /** The cost of a {@code $2x$NN$...} hash, read from its text. */
  private static int bcryptCost(String hash) {
    if (hash.length() < 7 || hash.charAt(6) != '$') {
      throw new IllegalArgumentException("not a bcrypt hash");
    }
    return Integer.parseInt(hash.substring(4, 6));
  }

  /** True for the hash forms {@link #matches} understands. */
  public static boolean isSupported(String hash) {
    return hash != null && (hash.startsWith("$argon2id$") || isBcrypt(hash));
  }

  private static boolean isBcrypt(String hash) {
    return hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$");
  }
}
