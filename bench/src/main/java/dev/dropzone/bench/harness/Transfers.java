package dev.dropzone.bench.harness;

import java.io.IOException;
import java.util.List;

/** What both paths under comparison (the gateway over FTP, and S3 directly) can do. */
interface Transfers extends AutoCloseable {

  void upload(String path, long size) throws IOException;

  /** Downloads {@code path} and returns the SHA-256 of what arrived. */
  String download(String path) throws IOException;

  /** Names in the directory {@code path}. */
  List<String> list(String path) throws IOException;

  @Override
  void close() throws IOException;
}
