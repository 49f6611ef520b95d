package dev.dropzone.kek.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.StreamingKeys;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class DataKeyTest {

  private static final byte[] RAW = new byte[32];
  private static final byte[] HEADER = header((byte) 7);

  static {
    for (int i = 0; i < RAW.length; i++) {
      RAW[i] = (byte) i;
    }
  }

  private static byte[] header(byte fill) {
    byte[] header = new byte[ObjectFormat.HEADER];
    Arrays.fill(header, fill);
    header[0] = ObjectFormat.HEADER;
    return header;
  }

  private static final ObjectIdentity IDENTITY =
      new ObjectIdentity("users/alice", "reports/q1.csv", HEADER, 3, 1_700_000_000_123L);

  /**
   * The tag computed here with nothing but the JDK's HMAC, straight from the definition in
   * docs/FORMAT.md: K_id = HKDF-SHA256(K, salt = empty, info), tag = HMAC(K_id, input).
   */
  @Test
  void theIdentityTagIsHmacSha256UnderTheHkdfDerivedIdentityKey() throws Exception {
    byte[] identityKey = hkdf(RAW, new byte[32], "dropzone/v2 object identity");
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    input.writeBytes("dropzone/v2".getBytes(StandardCharsets.US_ASCII));
    lengthPrefixed(input, "users/alice".getBytes(StandardCharsets.UTF_8));
    lengthPrefixed(input, "reports/q1.csv".getBytes(StandardCharsets.UTF_8));
    lengthPrefixed(input, HEADER);
    input.writeBytes(ByteBuffer.allocate(16).putLong(3).putLong(1_700_000_000_123L).array());

    byte[] expected = hmac(identityKey, input.toByteArray());

    assertThat(DataKey.fromRaw(RAW).identityTag(IDENTITY)).isEqualTo(expected);
  }

  @Test
  void theRecordTagCoversUserDomainEpochAndCreationTime() throws Exception {
    byte[] recordKey = hkdf(RAW, new byte[32], "dropzone/v2 key record");
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    lengthPrefixed(input, "alice".getBytes(StandardCharsets.UTF_8));
    lengthPrefixed(input, "users/alice".getBytes(StandardCharsets.UTF_8));
    input.writeBytes(ByteBuffer.allocate(16).putLong(2).putLong(1_700_000_000_000L).array());
    RecordFields fields =
        new RecordFields("alice", "users/alice", 2, Instant.ofEpochMilli(1_700_000_000_000L));

    DataKey key = DataKey.fromRaw(RAW);

    assertThat(key.recordTag(fields)).isEqualTo(hmac(recordKey, input.toByteArray()));
    assertThat(key.hasRecord(fields, key.recordTag(fields))).isTrue();
    assertThat(
            key.hasRecord(
                new RecordFields("alice", "users/alice", 1, fields.created()),
                key.recordTag(fields)))
        .as("an older epoch")
        .isFalse();
  }

  @Test
  void everyFieldOfTheIdentityChangesTheTag() throws Exception {
    DataKey key = DataKey.fromRaw(RAW);
    byte[] tag = key.identityTag(IDENTITY);

    assertThat(key.hasIdentity(IDENTITY, tag)).isTrue();
    assertThat(
            key.hasIdentity(
                new ObjectIdentity("users/bob", "reports/q1.csv", HEADER, 3, 1_700_000_000_123L),
                tag))
        .as("another home")
        .isFalse();
    assertThat(key.hasIdentity(IDENTITY.at("reports/q2.csv"), tag)).as("another path").isFalse();
    assertThat(key.hasIdentity(IDENTITY.modifiedAt(1), tag)).as("another time").isFalse();
    assertThat(
            key.hasIdentity(
                new ObjectIdentity(
                    "users/alice", "reports/q1.csv", header((byte) 8), 3, 1_700_000_000_123L),
                tag))
        .as("another body")
        .isFalse();
    assertThat(
            key.hasIdentity(
                new ObjectIdentity("users/alice", "reports/q1.csv", HEADER, 2, 1_700_000_000_123L),
                tag))
        .as("another epoch")
        .isFalse();
    assertThat(DataKey.fromRaw(StreamingKeys.newDataKey()).hasIdentity(IDENTITY, tag))
        .as("another key")
        .isFalse();
  }

  @Test
  void lengthPrefixesKeepDomainAndPathApart() throws Exception {
    DataKey key = DataKey.fromRaw(RAW);

    assertThat(key.identityTag(new ObjectIdentity("users/a", "b/c", HEADER, 1, 1)))
        .isNotEqualTo(key.identityTag(new ObjectIdentity("users/a/b", "c", HEADER, 1, 1)));
  }

  @Test
  void aSealedDigestOpensOnlyForItsKeyAndBody() throws Exception {
    DataKey key = DataKey.fromRaw(RAW);
    byte[] sha256 = MessageDigest.getInstance("SHA-256").digest("hello".getBytes());

    byte[] sealed = key.sealDigest(HEADER, sha256);

    assertThat(sealed).hasSize(DataKey.SEALED_DIGEST_BYTES);
    assertThat(key.openDigest(HEADER, sealed)).isEqualTo(sha256);
    assertThatThrownBy(() -> key.openDigest(header((byte) 9), sealed))
        .as("another body's salt")
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> DataKey.fromRaw(StreamingKeys.newDataKey()).openDigest(HEADER, sealed))
        .as("another key")
        .isInstanceOf(GeneralSecurityException.class);
    byte[] flipped = sealed.clone();
    flipped[20] ^= 1;
    assertThatThrownBy(() -> key.openDigest(HEADER, flipped))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void onlyThirtyTwoByteKeysAndFortyByteHeadersAreAccepted() {
    assertThatThrownBy(() -> DataKey.fromRaw(new byte[16]))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new ObjectIdentity("d", "p", new byte[39], 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ObjectIdentity("d", "/p", HEADER, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theKeyNeverShowsItsBytes() throws Exception {
    assertThat(DataKey.fromRaw(RAW).toString()).doesNotContain("0, 1, 2").isEqualTo("DataKey[...]");
  }

  /** RFC 5869 with one output block, written out with the JDK's HMAC only. */
  private static byte[] hkdf(byte[] ikm, byte[] salt, String info) throws Exception {
    byte[] prk = hmac(salt, ikm);
    ByteArrayOutputStream t1 = new ByteArrayOutputStream();
    t1.writeBytes(info.getBytes(StandardCharsets.US_ASCII));
    t1.write(1);
    return hmac(prk, t1.toByteArray());
  }

  private static byte[] hmac(byte[] key, byte[] message) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(message);
  }

  private static void lengthPrefixed(ByteArrayOutputStream out, byte[] bytes) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
    out.writeBytes(bytes);
  }
}
