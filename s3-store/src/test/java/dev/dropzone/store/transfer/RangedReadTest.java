package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.io.InputStream;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;

class RangedReadTest {

  private static final long SIZE = 3L * TransferTestBed.PART + 777;
  private static final PlaintextPattern PATTERN = new PlaintextPattern(42);
  private static TransferTestBed bed;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    bed = TransferTestBed.inMemory();
    key = bed.key("ranged");
    bed.write(key, PATTERN, SIZE);
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  static LongStream offsets() {
    long first = ObjectFormat.FIRST_SEGMENT_PLAINTEXT;
    long segment = ObjectFormat.SEGMENT_PLAINTEXT;
    // Plaintext offset of the first byte stored in the second 5 MiB part (segment 5).
    long secondPart = first + 4 * segment;
    Random random = new Random(1);
    return LongStream.concat(
        LongStream.of(
            1,
            first - 1,
            first,
            first + 1,
            first + segment - 1,
            first + segment,
            secondPart - 1,
            secondPart,
            secondPart + 1,
            SIZE - 1),
        random.longs(6, 1, SIZE));
  }

  @ParameterizedTest
  @MethodSource("offsets")
  void readingFromAnOffsetReturnsExactlyThePlaintextFromThere(long offset) throws Exception {
    assertThat(bed.readSha256(key, offset)).isEqualTo(PATTERN.sha256(offset, SIZE - offset));
  }

  @Test
  void aShortReadFromAnOffsetEqualsTheSlice() throws Exception {
    long offset = ObjectFormat.FIRST_SEGMENT_PLAINTEXT + 5;
    try (InputStream in = bed.openRead(key, offset)) {
      assertThat(in.readNBytes(1000)).isEqualTo(PATTERN.slice(offset, 1000));
    }
  }

  @Test
  void readingFromTheEndGivesNothing() throws Exception {
    try (InputStream in = bed.openRead(key, SIZE)) {
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void readingBeyondTheEndIsOutOfRange() {
    assertThatThrownBy(() -> bed.openRead(key, SIZE + 1))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OUT_OF_RANGE))
        .hasMessageContaining(String.valueOf(SIZE));
  }

  @Test
  void aResumedDownloadStreamsFromFewGets() throws Exception {
    String tenMiB = bed.key("ten-mib");
    bed.write(tenMiB, PATTERN, 10 << 20);
    int before = bed.getCount();

    assertThat(bed.readSha256(tenMiB, 5 << 20)).isEqualTo(PATTERN.sha256(5 << 20, 5 << 20));

    assertThat(bed.getCount() - before).isBetween(1, 3);
  }

  @Test
  void aMissingObjectIsNotFound() {
    for (long offset : new long[] {0, 10}) {
      assertThatThrownBy(() -> bed.openRead(bed.key("missing"), offset))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    }
  }

  @Test
  void anObjectNotWrittenByDropzoneIsRefused() {
    String foreign = bed.key("foreign.txt");
    bed.s3.putObject(
        b -> b.bucket(bed.settings.bucket()).key(foreign), RequestBody.fromString("plain text"));

    for (long offset : new long[] {0, 3}) {
      assertThatThrownBy(() -> bed.openRead(foreign, offset))
          .isInstanceOfSatisfying(
              StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
          .hasMessageContaining("not written by Dropzone");
    }
  }
}
