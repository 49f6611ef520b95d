package dev.dropzone.gateway.ftp.command;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The file's plaintext as the data connection reads it; keeps the first store failure. */
final class DownloadSource extends FilterInputStream {

  final FirstFailure failure = new FirstFailure();

  DownloadSource(InputStream file) {
    super(file);
  }

  @Override
  public int read() throws IOException {
    return failure.watch(in::read);
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return failure.watch(() -> in.read(b, off, len));
  }

  @Override
  public long skip(long n) throws IOException {
    return failure.watch(() -> in.skip(n));
  }
}
