package dev.dropzone.gateway.users;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers for a short time, in memory only, that a user name and password were verified against a
 * stored hash, so a client that logs in again and again (a batch job, a client opening parallel
 * connections) does not pay a full Argon2id check each time, as SFTPGo's password caching does.
 *
 * <p>Only successes are remembered: a wrong password always gets the full check. Entries are keyed
 * by HMAC-SHA256 of name, password and stored hash under a random key made when the process starts
 * and never written anywhere, so the table holds neither passwords nor values that guesses could be
 * tested against without that key. Because the stored hash is part of the key, a changed password
 * never matches an old entry; the owner also clears the table whenever the users file changes.
 */
final class VerifiedCredentials {

  /** Remembered successes at most. */
  static final int MAX_ENTRIES = 10_000;

  private static final String HMAC = "HmacSHA256";

  private final Cache<ByteBuffer, Boolean> verified;

  /** One MAC per thread, keyed once: looking one up and keying it cost more than the tag. */
  private final ThreadLocal<Mac> macs;

  /**
   * @param ttl how long a success is remembered; zero turns remembering off
   */
  VerifiedCredentials(Duration ttl, Ticker ticker) {
    this.verified =
        ttl.isZero()
            ? null
            : Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfterWrite(ttl)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    SecretKeySpec key = new SecretKeySpec(secret, HMAC);
    Arrays.fill(secret, (byte) 0);
    this.macs =
        ThreadLocal.withInitial(
            () -> {
              try {
                Mac mac = Mac.getInstance(HMAC);
                mac.init(key);
                return mac;
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
              }
            });
  }

  /** True when this name and password were verified against {@code storedHash} recently. */
  boolean contains(String name, char[] password, String storedHash) {
    return verified != null && verified.getIfPresent(tag(name, password, storedHash)) != null;
  }

  /** Remembers a successful check of this name and password against {@code storedHash}. */
  void add(String name, char[] password, String storedHash) {
    if (verified != null) {
      verified.put(tag(name, password, storedHash), Boolean.TRUE);
    }
  }

  /** Forgets every success (the users file changed). */
  void clear() {
    if (verified != null) {
      verified.invalidateAll();
    }
  }

  private ByteBuffer tag(String name, char[] password, String storedHash) {
    ByteBuffer secret = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    try {
      // Still keyed; reset drops what a tag cut short by an error may have left.
      Mac mac = macs.get();
      mac.reset();
      // Lengths first, so no two different (name, password, hash) triples feed the same bytes.
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      mac.update(ByteBuffer.allocate(8).putInt(nameBytes.length).putInt(secret.remaining()).flip());
      mac.update(nameBytes);
      mac.update(secret.duplicate());
      mac.update(storedHash.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(mac.doFinal());
    } finally {
      // The encoder's buffer held the password too.
      if (secret.hasArray()) {
        Arrays.fill(secret.array(), (byte) 0);
      }
    }
  }
}
