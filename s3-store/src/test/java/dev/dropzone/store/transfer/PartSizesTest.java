package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.S3Settings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PartSizesTest {

  private static final long FIVE_TIB = 5L << 40;

  @ParameterizedTest
  @ValueSource(ints = {S3Settings.MIN_PART_SIZE, S3Settings.DEFAULT_PART_SIZE, 64 << 20})
  void tenThousandPartsCoverS3sLargestObject(int initial) {
    long total = 0;
    long previous = 0;
    for (int part = 1; part <= PartSizes.MAX_PARTS; part++) {
      long size = PartSizes.sizeOf(part, initial);
      assertThat(size).isBetween((long) initial, PartSizes.MAX_PART_BYTES);
      assertThat(size).isGreaterThanOrEqualTo(previous);
      previous = size;
      total += size;
    }
    assertThat(total).isGreaterThan(FIVE_TIB);
  }

  @ParameterizedTest
  @ValueSource(ints = {S3Settings.MIN_PART_SIZE, S3Settings.DEFAULT_PART_SIZE})
  void ordinaryFilesUseTheConfiguredPartSize(int initial) {
    assertThat(PartSizes.sizeOf(1, initial)).isEqualTo(initial);
    assertThat(PartSizes.sizeOf(PartSizes.PARTS_PER_STEP, initial)).isEqualTo(initial);
    assertThat(PartSizes.sizeOf(PartSizes.PARTS_PER_STEP + 1, initial)).isEqualTo(2L * initial);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, PartSizes.MAX_PARTS + 1})
  void partNumbersOutsideS3sRangeAreRejected(int part) {
    assertThatThrownBy(() -> PartSizes.sizeOf(part, S3Settings.MIN_PART_SIZE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
