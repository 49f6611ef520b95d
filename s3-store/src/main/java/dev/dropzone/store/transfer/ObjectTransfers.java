package dev.dropzone.store.transfer;

import dev.dropzone.kek.DataKeys;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.Upload;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.services.s3.S3Client;

/** Encrypted reads and writes of single objects. (skeleton: store-io work item) */
public final class ObjectTransfers implements AutoCloseable {

  public ObjectTransfers(S3Client s3, S3Settings settings) {}

  /** Decrypted content of the object at full key {@code key}, from plaintext {@code offset}. */
  public InputStream openRead(String key, DataKeys keys, long offset) throws IOException {
    throw new UnsupportedOperationException("skeleton: store-io work item");
  }

  /**
   * A new upload to full key {@code key}, encrypted with {@code user}'s current key; with {@code
   * offset > 0} the existing object's first {@code offset} plaintext bytes are carried over.
   */
  public Upload openWrite(String key, String user, DataKeys keys, long offset) throws IOException {
    throw new UnsupportedOperationException("skeleton: store-io work item");
  }

  @Override
  public void close() {}
}
