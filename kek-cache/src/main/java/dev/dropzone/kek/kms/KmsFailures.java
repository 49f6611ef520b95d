package dev.dropzone.kek.kms;

import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** Whether a failed KMS call is worth retrying later, in the words of KMS. */
final class KmsFailures {

  private KmsFailures() {}

  static KeyServiceException of(SdkException e, String operation) {
    if (e instanceof AwsServiceException service) {
      String code = service.awsErrorDetails() == null ? "" : service.awsErrorDetails().errorCode();
      String message =
          service.awsErrorDetails() == null
              ? e.getMessage()
              : service.awsErrorDetails().errorMessage();
      boolean later = service.statusCode() >= 500 || service.isThrottlingException();
      return new KeyServiceException(
          later ? Failure.UNAVAILABLE : Failure.REJECTED,
          operation
              + ": "
              + code
              + " (HTTP "
              + service.statusCode()
              + ")"
              + (message == null ? "" : ": " + message)
              + (later ? "" : hint(code)),
          e);
    }
    // No answer: connection refused, timeouts, DNS, TLS.
    return new KeyServiceException(
        Failure.UNAVAILABLE, operation + ": no answer: " + e.getMessage(), e);
  }

  private static String hint(String code) {
    return switch (code) {
      case "InvalidCiphertextException" ->
          " (the wrapped key was made for another user, another key domain or another key, or it"
              + " was altered)";
      case "IncorrectKeyException" -> " (the wrapped key was made by another KMS key)";
      default -> "";
    };
  }
}
