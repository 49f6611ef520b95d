package dev.dropzone.store.transfer;

/**
 * How big each multipart part is. S3 allows at most {@value #MAX_PARTS} parts of at most 5 GiB, so
 * a fixed part size of a few MiB would cap objects at tens of GiB. Part sizes therefore start at
 * the configured size and double every {@value #PARTS_PER_STEP} parts: ordinary files use the
 * configured size, and even the 5 MiB minimum reaches S3's 5 TiB object limit within 10,000 parts.
 */
final class PartSizes {

  static final int MAX_PARTS = 10_000;
  static final long MAX_PART_BYTES = 5L << 30;

  /** Chosen so that 10,000 parts starting at the 5 MiB minimum cover more than 5 TiB. */
  static final int PARTS_PER_STEP = 900;

  private PartSizes() {}

  /** Size of part {@code partNumber} (1-based, as S3 numbers them). */
  static long sizeOf(int partNumber, int initial) {
    if (partNumber < 1 || partNumber > MAX_PARTS) {
      throw new IllegalArgumentException("part number " + partNumber + " outside 1.." + MAX_PARTS);
    }
    int doublings = (partNumber - 1) / PARTS_PER_STEP;
    // At most 11 doublings of an int: no overflow in a long.
    return Math.min((long) initial << doublings, MAX_PART_BYTES);
  }
}
