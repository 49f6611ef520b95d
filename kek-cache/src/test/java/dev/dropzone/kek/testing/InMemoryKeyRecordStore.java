package dev.dropzone.kek.testing;

import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyRecordStore;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Key records in memory, with the same create-if-absent semantics as the S3 store; can fail like an
 * unreachable store and can hold readers until a number of them arrived, to force a creation race.
 */
public final class InMemoryKeyRecordStore implements KeyRecordStore {

  private final ConcurrentMap<String, KeyRecord> records = new ConcurrentHashMap<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger creates = new AtomicInteger();
  private volatile IOException failure;
  private volatile CountDownLatch readers = new CountDownLatch(0);

  @Override
  public Optional<KeyRecord> read(String user) throws IOException {
    reads.incrementAndGet();
    throwIfFailing();
    Optional<KeyRecord> found = Optional.ofNullable(records.get(user));
    CountDownLatch latch = readers;
    latch.countDown();
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IOException("readers never all arrived");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return found;
  }

  @Override
  public boolean createIfAbsent(KeyRecord record) throws IOException {
    creates.incrementAndGet();
    throwIfFailing();
    return records.putIfAbsent(record.user(), record) == null;
  }

  @Override
  public void replace(KeyRecord record) throws IOException {
    throwIfFailing();
    records.put(record.user(), record);
  }

  /** Files {@code record} under {@code user}, as a record copied to the wrong name would be. */
  public void storeUnder(String user, KeyRecord record) {
    records.put(user, record);
  }

  /** The next {@code count} reads each wait until all of them have read. */
  public void holdReadsUntil(int count) {
    readers = new CountDownLatch(count);
  }

  public void failWith(IOException failure) {
    this.failure = failure;
  }

  public void heal() {
    this.failure = null;
  }

  public Optional<KeyRecord> stored(String user) {
    return Optional.ofNullable(records.get(user));
  }

  public int size() {
    return records.size();
  }

  public int readCount() {
    return reads.get();
  }

  public int createCount() {
    return creates.get();
  }

  private void throwIfFailing() throws IOException {
    IOException injected = failure;
    if (injected != null) {
      throw injected;
    }
  }
}
