package dev.dropzone.store.transfer;

import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.subtle.StreamSegmentEncrypter;
import dev.dropzone.kek.format.ObjectFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Plaintext → the object body, written to a sink: exactly the bytes Tink's encrypting stream
 * writes, without its two 1 MiB buffers for files that fit in the first segment.
 *
 * <p>Tink's stream allocates (and zeroes) a plaintext and a ciphertext buffer of a whole segment
 * each when it is created. On a small heap with 1 MiB G1 regions each is a humongous allocation, so
 * every small file cost four regions and many small files meant frequent GCs. Here the plaintext is
 * held in an array that grows with the file, up to the first segment's capacity; a file that ends
 * within it is encrypted as one last segment, into an array of its own size. Only a file that
 * outgrows the first segment gets Tink's stream, fed with what was held: from then on it behaves as
 * before.
 *
 * <p>The segment encrypter is made up front, so a key that cannot encrypt fails at construction as
 * the stream did. The header is written with the ciphertext when the file is sealed (or by Tink's
 * stream when it takes over), never before. One thread.
 */
final class SegmentBufferedEncryption extends OutputStream {

  private static final int INITIAL_BYTES = 16 << 10;

  private final AesGcmHkdfStreaming aead;
  private final OutputStream sink;

  /** The encrypter of the single segment; null once Tink's stream took over. */
  private StreamSegmentEncrypter single;

  /** Plaintext bytes the first segment takes: its size less the header and the tag. */
  private final int capacity;

  private byte[] held;
  private int heldBytes;

  /** Tink's stream, once the plaintext outgrew one segment. */
  private OutputStream stream;

  private boolean closed;

  private SegmentBufferedEncryption(
      AesGcmHkdfStreaming aead, OutputStream sink, StreamSegmentEncrypter single) {
    this.aead = aead;
    this.sink = sink;
    this.single = single;
    this.capacity = aead.getPlaintextSegmentSize() - aead.getCiphertextOffset();
    this.held = new byte[Math.min(INITIAL_BYTES, capacity)];
  }

  /**
   * The encryption of one object body under {@code aead} into {@code sink}: single-segment files
   * without Tink's stream when {@code aead} is an {@link AesGcmHkdfStreaming}, Tink's stream from
   * the start otherwise.
   *
   * @throws GeneralSecurityException when the key cannot encrypt
   */
  static OutputStream of(StreamingAead aead, OutputStream sink)
      throws GeneralSecurityException, IOException {
    if (aead instanceof AesGcmHkdfStreaming segmented) {
      StreamSegmentEncrypter single = segmented.newStreamSegmentEncrypter(ObjectFormat.AAD);
      return new SegmentBufferedEncryption(segmented, sink, single);
    }
    return aead.newEncryptingStream(sink, ObjectFormat.AAD);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("Trying to write to closed stream");
    }
    if (stream != null) {
      stream.write(b, off, len);
      return;
    }
    if (len > capacity - heldBytes) {
      becomeStream();
      stream.write(b, off, len);
      return;
    }
    if (heldBytes + len > held.length) {
      int grown = Math.max(heldBytes + len, (int) Math.min(capacity, 2L * held.length));
      held = Arrays.copyOf(held, grown);
    }
    System.arraycopy(b, off, held, heldBytes, len);
    heldBytes += len;
  }

  /** Seals the body: the last (or only) segment and its tag go to the sink. Once only. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (stream != null) {
      stream.close();
      return;
    }
    ByteBuffer header = single.getHeader();
    int headerBytes = header.remaining();
    byte[] body = new byte[headerBytes + heldBytes + aead.getCiphertextOverhead()];
    header.get(body, 0, headerBytes);
    ByteBuffer ciphertext = ByteBuffer.wrap(body, headerBytes, body.length - headerBytes);
    try {
      single.encryptSegment(ByteBuffer.wrap(held, 0, heldBytes), true, ciphertext);
    } catch (GeneralSecurityException e) {
      throw new IOException("Cannot encrypt the only segment of " + heldBytes + " bytes", e);
    }
    if (ciphertext.hasRemaining()) {
      throw new IOException(
          "The only segment encrypted to "
              + (ciphertext.position() - headerBytes)
              + " bytes, not the "
              + (body.length - headerBytes)
              + " expected");
    }
    held = null;
    single = null;
    sink.write(body, 0, body.length);
    sink.close();
  }

  /** Hands what is held to Tink's stream, which writes its own header: past one segment. */
  private void becomeStream() throws IOException {
    try {
      stream = aead.newEncryptingStream(sink, ObjectFormat.AAD);
    } catch (GeneralSecurityException e) {
      throw new IOException("Cannot encrypt past the first segment", e);
    }
    single = null;
    byte[] start = held;
    held = null;
    stream.write(start, 0, heldBytes);
  }
}
