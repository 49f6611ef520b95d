package dev.dropzone.kek.cache;

/**
 * Counters of a {@link DataKeyCache} since it was built.
 *
 * @param hits requests answered from the cache (including ones that joined a load in progress)
 * @param misses requests that started a load
 * @param loads unwraps attempted (successful or not)
 * @param loadFailures unwraps that failed
 * @param size keys held now (an estimate while evictions are pending)
 * @param evictions keys dropped for size or age (not those invalidated because the key service
 *     refused them)
 */
public record CacheStats(
    long hits, long misses, long loads, long loadFailures, long size, long evictions) {}
