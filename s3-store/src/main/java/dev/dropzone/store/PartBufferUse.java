package dev.dropzone.store;

/**
 * How much memory the part buffers of all uploads have needed, for monitoring and benchmarks.
 *
 * @param budgetBytes the process-wide budget ({@code s3.partBufferBudget} or derived from the heap)
 * @param peakReservedBytes the most reserved at once since the store opened
 * @param waits how many times an upload waited for budget
 * @param reservedBytes reserved right now
 */
public record PartBufferUse(
    long budgetBytes, long peakReservedBytes, long waits, long reservedBytes) {}
