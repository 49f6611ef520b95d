package dev.dropzone.gateway.ftp.transfer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** TYPE A download: LF line ends go out as CRLF (an LF already preceded by CR stays as it is). */
final class LocalToAscii extends FilterOutputStream {

  private final byte[] buffer = new byte[DataLink.BLOCK];
  private boolean afterCr;

  LocalToAscii(OutputStream out) {
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
      if (n >= buffer.length - 1) {
        out.write(buffer, 0, n);
        n = 0;
      }
      if (c == '\n' && !afterCr) {
        buffer[n++] = '\r';
      }
      buffer[n++] = c;
      afterCr = c == '\r';
    }
    out.write(buffer, 0, n);
  }

  @Override
  public void close() {}
}
