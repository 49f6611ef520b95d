package dev.dropzone.gateway.ftp.command;

import dev.dropzone.store.StoreException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The upload's stream as the data connection writes into it. Remembers the first store failure:
 * MINA flushes in a {@code finally}, and the second failure from that flush would otherwise hide
 * the real cause (say, "key service unavailable") behind a generic I/O error.
 */
final class UploadSink extends FilterOutputStream {

  private StoreException failure;

  UploadSink(OutputStream upload) {
    super(upload);
  }

  StoreException failure() {
    return failure;
  }

  @Override
  public void write(int b) throws IOException {
    check();
    try {
      out.write(b);
    } catch (StoreException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    check();
    try {
      out.write(b, off, len);
    } catch (StoreException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public void flush() throws IOException {
    check();
    try {
      out.flush();
    } catch (StoreException e) {
      failure = e;
      throw e;
    }
  }

  /** Closing is the upload's business (commit or abort), never the data connection's. */
  @Override
  public void close() {}

  private void check() throws StoreException {
    if (failure != null) {
      throw failure;
    }
  }
}
