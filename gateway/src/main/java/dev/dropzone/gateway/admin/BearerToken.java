package dev.dropzone.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The token the admin endpoint expects in {@code Authorization: Bearer <token>}. Only its SHA-256
 * is kept, and presented tokens are hashed before the constant-time comparison, so neither the
 * comparison's time nor a heap dump gives the token away, whatever its length.
 */
public final class BearerToken {

  /** Shorter tokens can be guessed; 16 random characters are beyond guessing. */
  public static final int MIN_LENGTH = 16;

  private static final String SCHEME = "Bearer ";

  private final byte[] digest;

  private BearerToken(byte[] digest) {
    this.digest = digest;
  }

  /**
   * @throws IllegalArgumentException when {@code token} is shorter than {@link #MIN_LENGTH} or
   *     holds anything but visible ASCII characters (an HTTP header could not carry it)
   */
  public static BearerToken of(String token) {
    if (token.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "must be at least " + MIN_LENGTH + " characters long (use a random one)");
    }
    if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          "must be visible ASCII characters only (no spaces or line breaks)");
    }
    return new BearerToken(sha256(token));
  }

  /** Whether an {@code Authorization} header value (null when absent) carries this token. */
  public boolean acceptsHeader(String authorization) {
    if (authorization == null
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(authorization.substring(SCHEME.length()).strip()));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "BearerToken[******]";
  }
}
