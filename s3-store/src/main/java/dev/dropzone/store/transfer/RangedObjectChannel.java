package dev.dropzone.store.transfer;

import dev.dropzone.store.s3.S3Errors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * A read-only seekable view of one stored object over ranged GETs. Each GET is open-ended and read
 * sequentially, so a reader that moves forward costs one request however many {@code read} calls it
 * makes; only a real seek (backwards, or far ahead) starts another GET. Every GET is pinned to the
 * object's ETag, so an object replaced mid-read fails instead of mixing two versions.
 */
final class RangedObjectChannel implements SeekableByteChannel {

  /** Forward gaps up to this size are read and dropped rather than paid for with a new request. */
  static final long SKIP_LIMIT = 256 << 10;

  private static final Logger LOG = LoggerFactory.getLogger(RangedObjectChannel.class);

  private final S3Client s3;
  private final String bucket;
  private final StoredObject object;
  private final long sequentialStart;
  private final byte[] knownHeader;
  private ObjectBodyStream body;
  private long bodyPosition;
  private long bodyEnd;
  private long position;
  private boolean open = true;
  private final byte[] skipBuffer = new byte[8192];

  /**
   * @param sequentialStart the ciphertext offset from which the reader will read on to the end
   * @param knownHeader the body's first bytes, served without a request (a v2 object's header as
   *     its authenticated metadata names it: segments not made under it fail to decrypt, so this
   *     also checks the body's header); null to read them from the object
   */
  RangedObjectChannel(
      S3Client s3, String bucket, StoredObject object, long sequentialStart, byte[] knownHeader) {
    this.s3 = s3;
    this.bucket = bucket;
    this.object = object;
    this.sequentialStart = sequentialStart;
    this.knownHeader = knownHeader == null ? null : knownHeader.clone();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    ensureOpen();
    if (position >= object.ciphertextSize()) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    int total = 0;
    // Fill the buffer: Tink hands over whole segments and expects them back whole.
    while (dst.hasRemaining() && position < object.ciphertextSize()) {
      if (knownHeader != null && position < knownHeader.length) {
        int n = (int) Math.min(dst.remaining(), knownHeader.length - position);
        dst.put(knownHeader, (int) position, n);
        total += n;
        position += n;
        continue;
      }
      positionBody(dst.remaining());
      int n = readInto(dst);
      if (n < 0) {
        throw new IOException(
            "object ended at byte " + position + " of " + object.ciphertextSize());
      }
      total += n;
      position += n;
      bodyPosition += n;
    }
    return total;
  }

  private int readInto(ByteBuffer dst) throws IOException {
    if (dst.hasArray()) {
      int n = body.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
      if (n > 0) {
        dst.position(dst.position() + n);
      }
      return n;
    }
    byte[] tmp = new byte[Math.min(dst.remaining(), 64 << 10)];
    int n = body.read(tmp, 0, tmp.length);
    if (n > 0) {
      dst.put(tmp, 0, n);
    }
    return n;
  }

  private void positionBody(int wanted) throws IOException {
    if (body != null && position > bodyPosition && position - bodyPosition <= SKIP_LIMIT) {
      skip(position - bodyPosition);
    }
    if (body != null && position == bodyPosition && position < bodyEnd) {
      return;
    }
    closeBody();
    // Before the sequential region (Tink's header) fetch just what is asked: a GET read to its
    // end keeps its connection, one cut off mid-body does not.
    bodyEnd =
        position < sequentialStart - SKIP_LIMIT
            ? Math.min(position + wanted, sequentialStart)
            : object.ciphertextSize();
    GetObjectRequest request =
        GetObjectRequest.builder()
            .bucket(bucket)
            .key(object.key())
            .range("bytes=" + position + "-" + (bodyEnd - 1))
            .ifMatch(object.eTag())
            .build();
    String what = "read " + object.key();
    try {
      body = new ObjectBodyStream(s3.getObject(request), what);
    } catch (SdkException e) {
      throw S3Errors.map(e, what);
    }
    LOG.debug("GET {} bytes {}-{}", object.key(), position, bodyEnd - 1);
    bodyPosition = position;
  }

  private void skip(long bytes) throws IOException {
    while (bytes > 0) {
      int n = body.read(skipBuffer, 0, (int) Math.min(bytes, skipBuffer.length));
      if (n < 0) {
        throw new IOException("object ended at byte " + bodyPosition);
      }
      bytes -= n;
      bodyPosition += n;
    }
  }

  private void closeBody() {
    if (body != null) {
      body.close();
      body = null;
    }
  }

  @Override
  public long position() throws IOException {
    ensureOpen();
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) throws IOException {
    ensureOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    ensureOpen();
    return object.ciphertextSize();
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public SeekableByteChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
    closeBody();
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!open) {
      throw new ClosedChannelException();
    }
  }
}
