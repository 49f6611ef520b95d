package dev.dropzone.store.s3;

import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyRecordStore;
import dev.dropzone.store.S3Settings;
import java.io.IOException;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/** Key records as JSON objects under {@code <prefix>/.dropzone/keys/}. (skeleton) */
public final class S3KeyRecords implements KeyRecordStore {

  public S3KeyRecords(S3Client s3, S3Settings settings) {}

  @Override
  public Optional<KeyRecord> read(String user) throws IOException {
    throw new UnsupportedOperationException("skeleton: store-tree work item");
  }

  @Override
  public boolean createIfAbsent(KeyRecord record) throws IOException {
    throw new UnsupportedOperationException("skeleton: store-tree work item");
  }

  @Override
  public void replace(KeyRecord record) throws IOException {
    throw new UnsupportedOperationException("skeleton: store-tree work item");
  }
}
