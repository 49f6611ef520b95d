package dev.dropzone.store.s3;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.util.Locale;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Translates S3 SDK failures into the store's one exception type. Messages are for the operator's
 * log and may name keys; the gateway decides what of them a client sees.
 */
public final class S3Errors {

  private S3Errors() {}

  /**
   * @param what the operation and object in words, e.g. {@code "list /docs"}; becomes part of the
   *     message
   */
  public static StoreException map(SdkException e, String what) {
    if (e instanceof NoSuchKeyException) {
      return new StoreException(Reason.NOT_FOUND, "No such file", e);
    }
    if (e instanceof ApiCallTimeoutException) {
      return deadlinePassed(e, what);
    }
    if (e instanceof S3Exception s3) {
      int status = s3.statusCode();
      // A HEAD answer has no body, so no error code: only the status tells what happened.
      String code =
          s3.awsErrorDetails() == null || s3.awsErrorDetails().errorCode() == null
              ? ""
              : s3.awsErrorDetails().errorCode();
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
      if (status == 412) {
        // Every conditional request names the version it read first (If-Match on its ETag).
        return new StoreException(
            Reason.CHANGED,
            "Could not " + what + ": the file was replaced meanwhile; try again",
            e);
      }
      if (status == 403 || isCredentialCode(code)) {
        return new StoreException(
            Reason.STORAGE_DENIED,
            "Storage refused to "
                + what
                + " (HTTP "
                + (status + " " + code).strip()
                + "): "
                + advice(code),
            e);
      }
      return new StoreException(
          Reason.STORAGE_UNAVAILABLE,
          "Storage failed to "
              + what
              + " (HTTP "
              + (status + " " + code).strip()
              + "), try again later",
          e);
    }
    if (e instanceof SdkClientException && mentionsCredentials(e)) {
      return new StoreException(
          Reason.STORAGE_DENIED,
          "Storage credentials unusable while trying to "
              + what
              + ": "
              + e.getMessage()
              + " (set s3.accessKeyId and s3.secretAccessKey, or give the gateway a role or"
              + " profile the AWS default credential chain finds)",
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

  /**
   * Fails unless an answer to CompleteMultipartUpload names the new object's ETag, as every success
   * does. S3 sends its {@code 200} before it has finished and reports a failure in the body after
   * it; a server whose storage fails meanwhile may send a result with no ETag (S3Proxy does, after
   * an Error while completing). Taken for a success, a file would be reported stored while no
   * object exists and its multipart upload stays pending.
   *
   * @param what the operation in words, e.g. {@code "complete the upload of k"}
   */
  public static void requireCompleted(CompleteMultipartUploadResponse response, String what)
      throws StoreException {
    if (response.eTag() == null || response.eTag().isBlank()) {
      throw new StoreException(
          Reason.STORAGE_UNAVAILABLE,
          "Storage did not confirm that it could "
              + what
              + ": its answer named no ETag, so the object may not exist; try again (if this"
              + " repeats, check the S3 server's own log)");
    }
  }

  private static StoreException deadlinePassed(SdkException e, String what) {
    StorageDeadline deadline = StorageDeadline.current();
    String stalled =
        deadline == null || deadline.stalledCall() == null
            ? "an S3 call"
            : "S3 " + deadline.stalledCall();
    String length = deadline == null ? "" : " of " + deadline.length().toMillis() / 1000.0 + " s";
    return new StoreException(
        Reason.STORAGE_UNAVAILABLE,
        "Storage did not answer in time to "
            + what
            + ": "
            + stalled
            + " was still waiting when the command's deadline"
            + length
            + " (s3.commandDeadline) passed",
        e);
  }

  /** Error codes S3 and compatible servers send for credentials they do not accept. */
  private static boolean isCredentialCode(String code) {
    return switch (code) {
      case "InvalidAccessKeyId",
          "SignatureDoesNotMatch",
          "ExpiredToken",
          "InvalidToken",
          "TokenRefreshRequired",
          "RequestTimeTooSkewed" ->
          true;
      default -> false;
    };
  }

  /** What the operator should check for a refusal with this error code. */
  private static String advice(String code) {
    return switch (code) {
      case "InvalidAccessKeyId", "SignatureDoesNotMatch" ->
          "the gateway's S3 credentials are wrong; check s3.accessKeyId and s3.secretAccessKey"
              + " (or the credentials the AWS default chain finds)";
      case "ExpiredToken", "InvalidToken", "TokenRefreshRequired" ->
          "the gateway's temporary S3 credentials expired or are invalid; check the role or"
              + " credential source that issues them";
      case "RequestTimeTooSkewed" ->
          "the gateway's clock is too far from the storage's; synchronise it (NTP)";
      default ->
          "check that the gateway's S3 credentials and IAM/bucket policy allow this on the"
              + " bucket and prefix (and the KMS key policy, with SSE-KMS)";
    };
  }

  private static boolean mentionsCredentials(SdkException e) {
    String message = e.getMessage();
    return message != null && message.toLowerCase(Locale.ROOT).contains("credentials");
  }
}
