package dev.dropzone.gateway.users;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * An Argon2id hash in the PHC string form ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}, the
 * form password4j, SFTPGo and the argon2 reference tool write), read without computing anything, so
 * its cost can be judged before it is paid. It is computed with Bouncy Castle, which allocates its
 * memory per call and keeps nothing (password4j keeps a copy of each parameter set's memory for the
 * life of the process).
 *
 * @param version 19 (0x13) or 16 (0x10)
 * @param memoryKib {@code m}
 * @param iterations {@code t}
 * @param lanes {@code p}
 */
record Argon2idHash(
    int version, int memoryKib, int iterations, int lanes, byte[] salt, byte[] hash) {

  static final String PREFIX = "$argon2id$";

  private static final Pattern FORM =
      Pattern.compile(
          "\\$argon2id\\$(?:v=(\\d{1,3})\\$)?m=(\\d{1,10}),t=(\\d{1,10}),p=(\\d{1,10})"
              + "\\$([A-Za-z0-9+/]{1,128})={0,2}\\$([A-Za-z0-9+/]{1,256})={0,2}");

  /**
   * Reads {@code text}.
   *
   * @throws IllegalArgumentException when it is not an Argon2id hash in PHC form
   */
  static Argon2idHash parse(String text) {
    Matcher form = FORM.matcher(text);
    if (!form.matches()) {
      throw new IllegalArgumentException("not an Argon2id hash in PHC form");
    }
    int version = form.group(1) == null ? 0x10 : Integer.parseInt(form.group(1));
    if (version != 0x13 && version != 0x10) {
      throw new IllegalArgumentException("Argon2 version " + version + " is unknown");
    }
    Base64.Decoder base64 = Base64.getDecoder();
    Argon2idHash hash =
        new Argon2idHash(
            version,
            positive(form.group(2)),
            positive(form.group(3)),
            positive(form.group(4)),
            base64.decode(form.group(5)),
            base64.decode(form.group(6)));
    // What RFC 9106 allows; Bouncy Castle would quietly raise a memory below 8 KiB per lane.
    if (hash.memoryKib() < 8L * hash.lanes() || hash.salt().length < 8 || hash.hash().length < 4) {
      throw new IllegalArgumentException("Argon2id parameters outside RFC 9106's ranges");
    }
    return hash;
  }

  private static int positive(String digits) {
    long value = Long.parseLong(digits);
    if (value < 1 || value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Argon2 parameter out of range: " + digits);
    }
    return (int) value;
  }

  /** A new hash of {@code password} with a random salt of {@code saltBytes}. */
  static Argon2idHash create(
      char[] password,
      int memoryKib,
      int iterations,
      int lanes,
      int saltBytes,
      int outputBytes,
      SecureRandom random) {
    byte[] salt = new byte[saltBytes];
    random.nextBytes(salt);
    Argon2idHash unfinished =
        new Argon2idHash(0x13, memoryKib, iterations, lanes, salt, new byte[outputBytes]);
    return new Argon2idHash(
        0x13, memoryKib, iterations, lanes, salt, unfinished.compute(password, outputBytes));
  }

  /** Whether {@code password} hashes to this hash, compared in constant time. */
  boolean matches(char[] password) {
    return MessageDigest.isEqual(compute(password, hash.length), hash);
  }

  /** The PHC string form. */
  String format() {
    Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
    return PREFIX
        + "v="
        + version
        + "$m="
        + memoryKib
        + ",t="
        + iterations
        + ",p="
        + lanes
        + "$"
        + base64.encodeToString(salt)
        + "$"
        + base64.encodeToString(hash);
  }

  private byte[] compute(char[] password, int outputBytes) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(version)
            .withMemoryAsKB(memoryKib)
            .withIterations(iterations)
            .withParallelism(lanes)
            .withSalt(salt)
            .build());
    // One buffer large enough for any encoding, so no copy of the password is left unwiped.
    byte[] buffer = new byte[password.length * 3];
    ByteBuffer encoded = ByteBuffer.wrap(buffer);
    StandardCharsets.UTF_8
        .newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
        .encode(CharBuffer.wrap(password), encoded, true);
    // (UTF-8 keeps no state to flush.)
    byte[] bytes = Arrays.copyOf(buffer, encoded.position());
    Arrays.fill(buffer, (byte) 0);
    try {
      byte[] out = new byte[outputBytes];
      generator.generateBytes(bytes, out);
      return out;
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
