package dev.dropzone.gateway.ftp.transfer;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * A MODE Z upload (RFC 1950 zlib stream) inflated as it arrives, refused once it inflates to more
 * than {@code maxRatio} times the compressed bytes read so far: a few hundred KiB on the wire must
 * not become hundreds of MiB of plaintext. The check runs on every block, so quota and part budget,
 * which count the inflated bytes as they are written, are never met by a bomb's full size.
 */
final class InflatingInput extends InflaterInputStream {

  /**
   * Plaintext any stream may produce before the ratio applies: the first blocks of an ordinary file
   * (headers, runs of zeros) can compress far better than the whole.
   */
  static final long ALLOWANCE = 1 << 20;

  private final InputStream wire;
  private final long maxRatio;

  InflatingInput(InputStream wire, int maxRatio) {
    super(wire, new Inflater(), DataLink.BLOCK);
    this.wire = wire;
    this.maxRatio = maxRatio;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = super.read(b, off, len);
    } catch (ZipException e) {
      // Not a broken connection (that is an EOFException): the client compressed wrongly.
      throw malformed("it is not a valid zlib stream (" + e.getMessage() + ")");
    }
    long plain = inf.getBytesWritten();
    long compressed = inf.getBytesRead();
    if (plain > ALLOWANCE && plain - ALLOWANCE > maxRatio * compressed) {
      throw new StoreException(
          Reason.QUOTA,
          "Compressed upload refused: "
              + compressed
              + " bytes of MODE Z data inflated to more than "
              + maxRatio
              + " times their size (the server's limit); nothing was stored");
    }
    return n;
  }

  /**
   * After the zlib stream's end the client must end the connection: trailing bytes are not part of
   * the file, and a connection that stays open has not ended cleanly.
   */
  void requireEndOfData() throws IOException {
    if (inf.getRemaining() > 0 || wire.read() >= 0) {
      throw malformed("data follows the end of its zlib stream");
    }
  }

  private static StoreException malformed(String why) {
    return new StoreException(
        Reason.MALFORMED,
        "Compressed upload refused: "
            + why
            + "; send it uncompressed (MODE S) or compress it as"
            + " RFC 1950 zlib; nothing was stored");
  }

  /** Frees the inflater's native memory; the socket stays open (it is not this stream's). */
  void release() {
    inf.end();
  }

  /** Closing would close the data socket underneath; {@link #release} is what ends this stream. */
  @Override
  public void close() {
    release();
  }
}
