package dev.dropzone.store.s3;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Translates S3 SDK failures into the store's one exception type. */
public final class S3Errors {

  private S3Errors() {}

  /**
   * @param what the operation and object in words, e.g. {@code "read users/alice/a.txt"}; becomes
   *     part of the message
   */
  public static StoreException map(SdkException e, String what) {
    if (e instanceof NoSuchKeyException) {
      return new StoreException(Reason.NOT_FOUND, "No such file", e);
    }
    if (e instanceof S3Exception s3) {
      int status = s3.statusCode();
      String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
      if ("NoSuchBucket".equals(code)) {
        // Also a 404, but a configuration fault of the gateway, not a missing file of the client.
        return new StoreException(
            Reason.STORAGE_UNAVAILABLE,
            "Storage failed to "
                + what
                + ": the bucket does not exist (create it or correct the gateway's bucket"
                + " setting)",
            e);
      }
      if (status == 404) {
        return new StoreException(Reason.NOT_FOUND, "No such file", e);
      }
      if (status == 403) {
        return new StoreException(
            Reason.ACCESS_DENIED,
            "Storage refused to "
                + what
                + " ("
                + code
                + "): check the gateway's S3 credentials"
                + " and bucket policy",
            e);
      }
      return new StoreException(
          Reason.STORAGE_UNAVAILABLE,
          "Storage failed to " + what + " (HTTP " + status + " " + code + "), try again later",
          e);
    }
    if (e instanceof SdkClientException) {
      return new StoreException(
          Reason.STORAGE_UNAVAILABLE,
          "Storage unreachable while trying to " + what + ", try again later",
          e);
    }
    return new StoreException(Reason.STORAGE_UNAVAILABLE, "Storage error on " + what, e);
  }
}
