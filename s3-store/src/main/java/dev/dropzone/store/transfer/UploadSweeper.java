package dev.dropzone.store.transfer;

import dev.dropzone.store.S3Settings;
import java.io.IOException;
import java.time.Duration;
import software.amazon.awssdk.services.s3.S3Client;

/** Aborts multipart uploads left behind by crashed gateways. (skeleton: store-io work item) */
public final class UploadSweeper {

  public UploadSweeper(S3Client s3, S3Settings settings) {}

  /**
   * @return how many uploads were aborted
   */
  public int abortOlderThan(Duration age) throws IOException {
    throw new UnsupportedOperationException("skeleton: store-io work item");
  }
}
