package dev.dropzone.kek.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.StreamingAead;
import dev.dropzone.kek.StreamingKeys;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectFormatTest {

  private static final long MIB = 1 << 20;
  private static final long S = ObjectFormat.SEGMENT;

  /** Expected values computed independently from DESIGN §2's segment math. */
  @ParameterizedTest(name = "{0} plaintext bytes -> {1} stored")
  @CsvSource({
    "0, 56",
    "1, 57",
    "1048519, 1048575",
    "1048520, 1048576", // first segment exactly full
    "1048521, 1048593", // one byte spills into a second segment
    "2097080, 2097152", // two full segments
    "2097081, 2097169",
    "5242880, 5243016", // 5 MiB: S3's minimum part size
    "8388608, 8388792", // 8 MiB: the default part size
    "104857600, 104859256", // 100 MiB
    "5497558138880, 5497642026296" // 5 TiB: S3's largest object
  })
  void sizesMatchTheSegmentMath(long plaintext, long ciphertext) {
    assertThat(ObjectFormat.ciphertextSize(plaintext)).isEqualTo(ciphertext);
    assertThat(ObjectFormat.isValidCiphertextSize(ciphertext)).isTrue();
    assertThat(ObjectFormat.plaintextSize(ciphertext)).isEqualTo(plaintext);
  }

  @Test
  void aCiphertextOfWholePartsHoldsWholeSegments() {
    // Parts are cut from the ciphertext; a part of 8 MiB holds 8 full segments.
    assertThat(ObjectFormat.plaintextSize(8 * MIB)).isEqualTo(8 * MIB - 40 - 8 * 16);
    assertThat(ObjectFormat.plaintextSize(5 * MIB)).isEqualTo(5 * MIB - 40 - 5 * 16);
  }

  @Test
  void everyPlaintextSizeAroundTheSegmentEdgesRoundTrips() {
    LongStream.of(0, S - 56, 2 * S - 72, 3 * S - 88, 10 * S - 200)
        .flatMap(edge -> LongStream.rangeClosed(Math.max(0, edge - 20), edge + 20))
        .forEach(
            p ->
                assertThat(ObjectFormat.plaintextSize(ObjectFormat.ciphertextSize(p)))
                    .as("round trip of %d", p)
                    .isEqualTo(p));
  }

  @Test
  void exactlyOnePlaintextMapsToEachValidCiphertextSize() {
    // Over a range spanning several segment boundaries, valid sizes and the image of
    // ciphertextSize must be the same set.
    long from = S - 100;
    long to = 3 * S + 100;
    long valid =
        LongStream.rangeClosed(from, to).filter(ObjectFormat::isValidCiphertextSize).count();
    long images =
        LongStream.rangeClosed(0, to)
            .map(ObjectFormat::ciphertextSize)
            .filter(c -> c >= from && c <= to)
            .count();
    assertThat(valid).isEqualTo(images);
  }

  @ParameterizedTest
  @ValueSource(longs = {-1, 0, 1, 55})
  void tooShortForAHeaderAndATagIsInvalid(long ciphertext) {
    assertThat(ObjectFormat.isValidCiphertextSize(ciphertext)).isFalse();
    assertThatThrownBy(() -> ObjectFormat.plaintextSize(ciphertext))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not the size of a complete AES256_GCM_HKDF_1MB ciphertext");
  }

  @Test
  void aLastSegmentOfTagBytesOrFewerIsInvalid() {
    // S+1 .. S+16: the second segment would hold no plaintext, which Tink never writes.
    for (long c = S + 1; c <= S + 16; c++) {
      assertThat(ObjectFormat.isValidCiphertextSize(c)).as("%d", c).isFalse();
    }
    assertThat(ObjectFormat.isValidCiphertextSize(S + 17)).isTrue();
    assertThat(ObjectFormat.isValidCiphertextSize(2 * S + 16)).isFalse();
    assertThat(ObjectFormat.isValidCiphertextSize(2 * S + 17)).isTrue();
  }

  @Test
  void hugeValuesNeitherOverflowNorLie() {
    assertThat(ObjectFormat.isValidCiphertextSize(Long.MAX_VALUE)).isTrue();
    assertThat(ObjectFormat.plaintextSize(Long.MAX_VALUE)).isPositive();
    assertThatThrownBy(() -> ObjectFormat.ciphertextSize(Long.MAX_VALUE))
        .isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> ObjectFormat.ciphertextSize(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void segmentOfAnOffsetAndWhereThatSegmentStarts() {
    assertThat(ObjectFormat.segmentOf(0)).isZero();
    assertThat(ObjectFormat.segmentOf(S - 57)).isZero();
    assertThat(ObjectFormat.segmentOf(S - 56)).isEqualTo(1);
    assertThat(ObjectFormat.segmentOf(2 * S - 73)).isEqualTo(1);
    assertThat(ObjectFormat.segmentOf(2 * S - 72)).isEqualTo(2);
    assertThat(ObjectFormat.segmentStart(2)).isEqualTo(2 * S);
  }

  /** The arithmetic must agree with what Tink actually writes, not just with itself. */
  @ParameterizedTest(name = "Tink writes {0} plaintext bytes as ciphertextSize({0})")
  @ValueSource(longs = {0, 1, 1048519, 1048520, 1048521, 2097080, 2097081, 3 << 20})
  void matchesTinkOutput(long plaintext) throws Exception {
    StreamingAead aead = DataKey.fromRaw(StreamingKeys.newDataKey()).streamingAead();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = aead.newEncryptingStream(out, ObjectFormat.AAD)) {
      enc.write(new byte[(int) plaintext]);
    }
    assertThat((long) out.size()).isEqualTo(ObjectFormat.ciphertextSize(plaintext));
  }
}
