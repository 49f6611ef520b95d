package dev.dropzone.gateway.ftp.command;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** The upload's stream as the data connection writes into it; keeps the first store failure. */
final class UploadSink extends FilterOutputStream {

  final FirstFailure failure = new FirstFailure();

  UploadSink(OutputStream upload) {
    super(upload);
  }

  @Override
  public void write(int b) throws IOException {
    failure.watch(
        () -> {
          out.write(b);
          return null;
        });
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    failure.watch(
        () -> {
          out.write(b, off, len);
          return null;
        });
  }

  @Override
  public void flush() throws IOException {
    failure.watch(
        () -> {
          out.flush();
          return null;
        });
  }

  /** Closing is the upload's business (commit or abort), never the data connection's. */
  @Override
  public void close() {}
}
