package dev.dropzone.store.s3;

import java.time.Duration;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.s3.model.S3Request;

/**
 * Applies the calling thread's {@link StorageDeadline} to each S3 call: the time left becomes the
 * call's API call timeout, which the SDK enforces across all attempts and back-off sleeps, and
 * aborts the HTTP request when it passes. Calls outside any deadline are left as they are.
 */
final class DeadlineInterceptor implements ExecutionInterceptor {

  @Override
  public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
    StorageDeadline deadline = StorageDeadline.current();
    if (deadline == null || !(context.request() instanceof S3Request request)) {
      return context.request();
    }
    Duration left = deadline.remaining();
    String call = describe(attributes, request);
    if (left.isNegative() || left.isZero()) {
      deadline.stalled(call + " (not started: the time was used up by earlier calls)");
      throw ApiCallTimeoutException.builder()
          .message("The command's storage deadline of " + deadline.length() + " has passed")
          .build();
    }
    AwsRequestOverrideConfiguration.Builder config =
        request
            .overrideConfiguration()
            .map(AwsRequestOverrideConfiguration::toBuilder)
            .orElseGet(AwsRequestOverrideConfiguration::builder);
    return ((AwsRequest.Builder) request.toBuilder())
        .overrideConfiguration(config.apiCallTimeout(left).build())
        .build();
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    StorageDeadline deadline = StorageDeadline.current();
    if (deadline != null
        && context.exception() instanceof ApiCallTimeoutException
        && deadline.stalledCall() == null
        && context.request() instanceof S3Request request) {
      deadline.stalled(describe(attributes, request));
    }
  }

  /** The S3 operation and what it was about, e.g. {@code ListObjectsV2 prefix=dz/users/alice/}. */
  private static String describe(ExecutionAttributes attributes, S3Request request) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    String key =
        request
            .getValueForField("Key", String.class)
            .map(k -> " key=" + k)
            .or(() -> request.getValueForField("Prefix", String.class).map(p -> " prefix=" + p))
            .orElse("");
    return operation + key;
  }
}
