package dev.dropzone.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.http.HttpMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;

/**
 * Turns the AWS SDK's metrics of each S3 call into {@code dropzone_s3_requests_seconds} (by
 * operation and outcome, retries included in the time) and {@code dropzone_s3_retries_total}. The
 * store hands the SDK this publisher; labels are the SDK's operation names and a handful of
 * outcomes, never a bucket or key.
 */
public final class S3RequestMeters implements MetricPublisher {

  static final String REQUESTS = "dropzone.s3.requests";
  static final String RETRIES = "dropzone.s3.retries";

  private final MeterRegistry registry;

  public S3RequestMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void publish(MetricCollection call) {
    String operation = first(call.metricValues(CoreMetric.OPERATION_NAME), "unknown");
    Duration duration = first(call.metricValues(CoreMetric.API_CALL_DURATION), Duration.ZERO);
    Timer.builder(REQUESTS)
        .description("S3 requests by operation and outcome; the time includes retries")
        .tag("operation", operation)
        .tag("outcome", outcome(call))
        .serviceLevelObjectives(MeterBuckets.REMOTE_CALL)
        .register(registry)
        .record(duration);
    int retries = first(call.metricValues(CoreMetric.RETRY_COUNT), 0);
    if (retries > 0) {
      Counter.builder(RETRIES)
          .description("S3 requests sent again after a failed attempt")
          .tag("operation", operation)
          .register(registry)
          .increment(retries);
    }
  }

  /**
   * {@code ok}; or what the last attempt met: {@code not_found} (404, part of normal operation: a
   * client asks for a file that does not exist), {@code client_error} (other 4xx: credentials,
   * permissions, bad requests), {@code throttled} (SlowDown), {@code server_error} (5xx), {@code
   * timeout}, {@code io_error} (no answer) or {@code error}.
   */
  static String outcome(MetricCollection call) {
    if (Boolean.TRUE.equals(first(call.metricValues(CoreMetric.API_CALL_SUCCESSFUL), false))) {
      return "ok";
    }
    List<MetricCollection> attempts = call.children();
    if (attempts.isEmpty()) {
      return "error";
    }
    MetricCollection last = attempts.get(attempts.size() - 1);
    String errorType = first(last.metricValues(CoreMetric.ERROR_TYPE), "");
    int status = first(last.metricValues(HttpMetric.HTTP_STATUS_CODE), 0);
    if (errorType.equals("Throttling") || status == 429) {
      return "throttled";
    }
    if (status == 404) {
      return "not_found";
    }
    if (status >= 400 && status < 500) {
      return "client_error";
    }
    if (status >= 500) {
      return "server_error";
    }
    return switch (errorType) {
      case "ConfiguredTimeout" -> "timeout";
      case "IO" -> "io_error";
      default -> "error";
    };
  }

  private static <T> T first(List<T> values, T otherwise) {
    return values.isEmpty() ? otherwise : values.get(0);
  }

  @Override
  public void close() {
    // Meters live in the registry, which the gateway closes.
  }
}
