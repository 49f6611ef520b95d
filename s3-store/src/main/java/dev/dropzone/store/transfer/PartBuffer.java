package dev.dropzone.store.transfer;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Ciphertext of one part, kept in pooled chunks rather than one array: a part may exceed the 2 GiB
 * array limit once part sizes have grown, and the request body reads the chunks in place instead of
 * copying them (unlike {@code RequestBody.fromBytes}).
 */
final class PartBuffer {

  private final ChunkPool pool;
  private final List<byte[]> chunks = new ArrayList<>();
  private long size;

  PartBuffer(ChunkPool pool) {
    this.pool = pool;
  }

  long size() {
    return size;
  }

  void write(byte[] b, int off, int len) {
    while (len > 0) {
      int inChunk = (int) (size % ChunkPool.CHUNK_BYTES);
      if (inChunk == 0) {
        chunks.add(pool.take());
      }
      int n = Math.min(len, ChunkPool.CHUNK_BYTES - inChunk);
      System.arraycopy(b, off, chunks.get(chunks.size() - 1), inChunk, n);
      off += n;
      len -= n;
      size += n;
    }
  }

  /** A request body over the chunks; each retry of the request reads them again from the start. */
  RequestBody body() {
    return RequestBody.fromContentProvider(this::newStream, size, "application/octet-stream");
  }

  private InputStream newStream() {
    List<InputStream> parts = new ArrayList<>(chunks.size());
    long left = size;
    for (byte[] chunk : chunks) {
      int n = (int) Math.min(left, chunk.length);
      parts.add(new ByteArrayInputStream(chunk, 0, n));
      left -= n;
    }
    return new SequenceInputStream(Collections.enumeration(parts));
  }

  /** Returns the chunks to the pool; the buffer must not be used afterwards. */
  void release() {
    chunks.forEach(pool::give);
    chunks.clear();
    size = 0;
  }
}
