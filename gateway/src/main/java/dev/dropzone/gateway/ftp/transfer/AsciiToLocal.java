package dev.dropzone.gateway.ftp.transfer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * TYPE A upload: the network's CRLF line ends (and bare CR or LF from careless clients) become LF,
 * the store's line end whatever the platform the gateway runs on.
 */
final class AsciiToLocal extends FilterOutputStream {

  private final byte[] buffer = new byte[DataLink.BLOCK];
  private boolean afterCr;
  private long written;

  AsciiToLocal(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    int n = 0;
    for (int i = off; i < off + len; i++) {
      byte c = b[i];
      if (c == '\r') {
        buffer[n++] = '\n';
        afterCr = true;
      } else {
        if (c != '\n' || !afterCr) {
          buffer[n++] = c;
        }
        afterCr = false;
      }
      if (n == buffer.length) {
        out.write(buffer, 0, n);
        written += n;
        n = 0;
      }
    }
    out.write(buffer, 0, n);
    written += n;
  }

  /** Bytes passed on, after conversion. */
  long written() {
    return written;
  }

  /** The sink is the upload's; closing it is not this stream's business. */
  @Override
  public void close() {}
}
