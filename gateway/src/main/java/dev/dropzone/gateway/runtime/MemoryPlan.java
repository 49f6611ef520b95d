package dev.dropzone.gateway.runtime;

import dev.dropzone.gateway.ftp.FtpSettings;
import dev.dropzone.store.S3Settings;

/**
 * How the heap is shared, checked at start: the gateway's own data, each transfer's buffers, and
 * the part buffers of all uploads together (the only part that grows with file sizes, and which
 * uploads wait for rather than exceed). Below what the settings need the gateway refuses to start
 * and says how much it needs; an empty {@code s3.partBufferBudget} gets what is left.
 *
 * @param heap the JVM's maximum heap
 * @param reserved what the gateway and its transfers need besides part buffers
 * @param partBufferBudget what all uploads' part buffers may hold together
 * @param budgetOrigin how the budget was chosen, for the log
 */
record MemoryPlan(long heap, long reserved, long partBufferBudget, String budgetOrigin) {

  /**
   * The gateway's own live data: the S3, key-service and MINA clients, sessions, the key cache,
   * listing pages. An idle gateway with the in-process S3 server holds about 40 MiB.
   */
  static final long BASE = 64L << 20;

  /**
   * One transfer's buffers outside the part budget: Tink's two segment buffers (1 MiB each), the
   * copy block, a part buffer's first chunk and a TYPE A or MODE Z conversion buffer.
   */
  static final long PER_TRANSFER = 3L << 20;

  /**
   * @throws HeapTooSmallException when the heap is too small, saying how much is needed
   */
  static MemoryPlan of(long heap, FtpSettings.Transfers transfers, S3Settings s3) {
    long reserved = BASE + transfers.maxTransfers() * PER_TRANSFER;
    long part = s3.partSize();
    if (s3.partBufferBudget() != S3Settings.DERIVED_PART_BUFFER_BUDGET) {
      long budget = s3.partBufferBudget();
      if (reserved + budget > heap) {
        throw tooSmall(heap, reserved, budget, "s3.partBufferBudget", transfers, part);
      }
      return new MemoryPlan(heap, reserved, budget, "s3.partBufferBudget");
    }
    if (heap == Long.MAX_VALUE) {
      return new MemoryPlan(heap, reserved, Long.MAX_VALUE, "the heap has no limit");
    }
    long room = heap - reserved;
    if (room < part) {
      throw tooSmall(
          heap, reserved, part, "at least one upload part, s3.partSize", transfers, part);
    }
    long wholeUpload = (s3.partsInFlight() + 1L) * part;
    long budget = Math.min(room, Math.max(heap / 2, wholeUpload));
    return new MemoryPlan(
        heap, reserved, budget, budget == room ? "what the heap has left" : "half the heap");
  }

  /** {@code s3} with the part buffer budget of this plan. */
  S3Settings apply(S3Settings s3) {
    return partBufferBudget == Long.MAX_VALUE ? s3 : s3.withPartBufferBudget(partBufferBudget);
  }

  /** The log line that says how the heap is shared. */
  String describe() {
    return "Heap "
        + mib(heap)
        + ": "
        + mib(BASE)
        + " for the gateway, "
        + mib(reserved - BASE)
        + " for transfers ("
        + (reserved - BASE) / PER_TRANSFER
        + " × "
        + mib(PER_TRANSFER)
        + "), "
        + (partBufferBudget == Long.MAX_VALUE ? "any amount" : mib(partBufferBudget))
        + " for part buffers ("
        + budgetOrigin
        + ")";
  }

  private static HeapTooSmallException tooSmall(
      long heap,
      long reserved,
      long budget,
      String budgetName,
      FtpSettings.Transfers transfers,
      long part) {
    long needed = reserved + budget;
    long fitting = Math.max(0, (heap - BASE - budget) / PER_TRANSFER);
    return new HeapTooSmallException(
        "the JVM's heap of "
            + mib(heap)
            + " is too small for these settings, which need "
            + mib(needed)
            + ": "
            + mib(BASE)
            + " for the gateway itself, "
            + mib(PER_TRANSFER)
            + " for each of the "
            + transfers.maxTransfers()
            + " transfers ftp.maxTransfers allows, and "
            + mib(budget)
            + " for "
            + budgetName
            + ". Give the JVM at least -Xmx"
            + ((needed + (1 << 20) - 1) >> 20)
            + "m (in a container: a larger memory limit), or lower ftp.maxTransfers (this heap"
            + " fits "
            + fitting
            + ")");
  }

  private static String mib(long bytes) {
    return (bytes >> 20) + " MiB";
  }
}
