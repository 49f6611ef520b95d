package dev.dropzone.gateway.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the verified-credential cache keeps, seen as someone who can read the process's memory would
 * see it (the README's "remembered ... in memory only and as an HMAC under a key made at each
 * start"): tags of a MAC's length, no password or name in them, useless to another process.
 */
class VerifiedCredentialsTest {

  private static final String HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

  private final VerifiedCredentials credentials =
      new VerifiedCredentials(Duration.ofMinutes(5), Ticker.systemTicker());

  @Test
  void theTableHoldsMacTagsWithNeitherThePasswordNorTheName() throws Exception {
    String password = "correct horse battery staple";
    credentials.add("alice", password.toCharArray(), HASH);
    credentials.add("bob", "another-long-password".toCharArray(), HASH);

    List<byte[]> kept = keptEntries(credentials);
    assertThat(kept).hasSize(2);
    for (byte[] tag : kept) {
      assertThat(tag).as("an HMAC-SHA256 tag").hasSize(32);
      String asText = new String(tag, StandardCharsets.ISO_8859_1);
      // Any 4 bytes of the password or the name, in either encoding a table could hold them.
      for (String secret : List.of(password, "another-long-password", "alice")) {
        for (int i = 0; i + 4 <= secret.length(); i++) {
          assertThat(asText).doesNotContain(secret.substring(i, i + 4));
          byte[] utf16 = secret.substring(i, i + 2).getBytes(StandardCharsets.UTF_16BE);
          assertThat(asText).doesNotContain(new String(utf16, StandardCharsets.ISO_8859_1));
        }
      }
    }
  }

  @Test
  void anotherStartOfTheProcessRemembersNothingAndMakesOtherTags() throws Exception {
    char[] password = "s3cret-password".toCharArray();
    credentials.add("alice", password, HASH);
    VerifiedCredentials restarted =
        new VerifiedCredentials(Duration.ofMinutes(5), Ticker.systemTicker());
    assertThat(restarted.contains("alice", password, HASH)).isFalse();
    restarted.add("alice", password, HASH);

    assertThat(credentials.contains("alice", password, HASH)).isTrue();
    assertThat(keptEntries(restarted).get(0))
        .as("the same name, password and hash under another start's key")
        .isNotEqualTo(keptEntries(credentials).get(0));
  }

  @Test
  void aTagMatchesOnlyItsOwnNamePasswordAndStoredHash() {
    credentials.add("ab", "cdefgh".toCharArray(), HASH);

    assertThat(credentials.contains("ab", "cdefgh".toCharArray(), HASH)).isTrue();
    assertThat(credentials.contains("abc", "defgh".toCharArray(), HASH))
        .as("the boundary between name and password is part of the tag")
        .isFalse();
    assertThat(credentials.contains("ab", "cdefgh".toCharArray(), HASH + "x"))
        .as("a changed stored hash (a new password) never matches an old entry")
        .isFalse();
    assertThat(credentials.contains("ab", "cdefgH".toCharArray(), HASH)).isFalse();
  }

  /** The cache's keys, read as a heap dump would show them. */
  @SuppressWarnings("unchecked")
  private static List<byte[]> keptEntries(VerifiedCredentials credentials) throws Exception {
    var field = VerifiedCredentials.class.getDeclaredField("verified");
    field.setAccessible(true);
    Cache<ByteBuffer, Boolean> cache = (Cache<ByteBuffer, Boolean>) field.get(credentials);
    List<byte[]> entries = new ArrayList<>();
    for (ByteBuffer key : cache.asMap().keySet()) {
      byte[] bytes = new byte[key.remaining()];
      key.duplicate().get(bytes);
      entries.add(bytes);
    }
    return entries;
  }
}
