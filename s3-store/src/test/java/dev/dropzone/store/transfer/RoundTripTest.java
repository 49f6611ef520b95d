package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.testing.TestKeys;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

class RoundTripTest {

  /** Plaintext that encrypts to exactly one 5 MiB part: five full segments. */
  static final long ONE_PART = TransferTestBed.PART - ObjectFormat.HEADER - 5L * ObjectFormat.TAG;

  private static final long THREE_PARTS =
      3L * TransferTestBed.PART - ObjectFormat.HEADER - 15L * ObjectFormat.TAG;

  private static TransferTestBed bed;

  @BeforeAll
  static void start() throws Exception {
    bed = TransferTestBed.inMemory();
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  static LongStream sizes() {
    int s = ObjectFormat.SEGMENT;
    return LongStream.of(
        0, 1, s - 57, s - 56, s - 55, ONE_PART, ONE_PART + 1, THREE_PARTS + 12_345, 64L << 20);
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void plaintextComesBackUnchangedAndIsNotStoredInTheClear(long size) throws Exception {
    PlaintextPattern pattern = new PlaintextPattern(size);
    String key = bed.key("round-trip-" + size);

    bed.write(key, pattern, size);

    assertThat(bed.readSha256(key, 0)).isEqualTo(pattern.sha256(0, size));
    HeadObjectResponse head = bed.head(key);
    assertThat(head.contentLength()).isEqualTo(ObjectFormat.ciphertextSize(size));
    assertThat(head.metadata())
        .containsEntry(ObjectFormat.META_FORMAT, "2")
        .containsEntry(ObjectFormat.META_ALGORITHM, "AES256_GCM_HKDF_1MB")
        .containsEntry(ObjectFormat.META_KEY_REF, TestKeys.REF)
        .containsEntry(ObjectFormat.META_USER, TransferTestBed.USER)
        .containsEntry(ObjectFormat.META_DOMAIN, "users/" + TransferTestBed.USER)
        .containsEntry(ObjectFormat.META_EPOCH, "1")
        .containsKeys(
            ObjectFormat.META_KEY,
            ObjectFormat.META_HEADER,
            ObjectFormat.META_MTIME,
            ObjectFormat.META_TAG);
    assertThat(Base64.getDecoder().decode(head.metadata().get(ObjectFormat.META_HEADER)))
        .isEqualTo(Arrays.copyOf(bed.raw(key), ObjectFormat.HEADER));
    assertThat(head.metadata().containsKey(ObjectFormat.META_DIGEST))
        .as("single-request uploads carry their digest; larger ones keep it in a record")
        .isEqualTo(ObjectFormat.ciphertextSize(size) <= TransferTestBed.PART);
    if (size <= 16L << 20) {
      assertThat(indexOf(bed.raw(key), PlaintextPattern.MARKER)).isEqualTo(-1);
    }
  }

  @Test
  void aFileOfOnePartIsStoredWithPutObjectAndLargerOnesAsMultipart() throws Exception {
    PlaintextPattern pattern = new PlaintextPattern(7);
    bed.write(bed.key("single"), pattern, ONE_PART);
    bed.write(bed.key("multi"), pattern, ONE_PART + 1);

    // S3 marks multipart ETags with the part count.
    assertThat(bed.head(bed.key("single")).eTag()).doesNotContain("-");
    assertThat(bed.head(bed.key("multi")).eTag()).endsWith("-2\"");
  }

  @Test
  void thePlaintextCarriesTheMarkerTheRawObjectIsSearchedFor() throws Exception {
    // Guards the marker search itself: the plaintext does contain the marker.
    PlaintextPattern pattern = new PlaintextPattern(3);
    assertThat(indexOf(pattern.slice(0, 1000), PlaintextPattern.MARKER)).isZero();
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
