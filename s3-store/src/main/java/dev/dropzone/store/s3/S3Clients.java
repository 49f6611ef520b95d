package dev.dropzone.store.s3;

import dev.dropzone.store.S3Settings;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the one S3 client a store uses, with settings every S3-compatible server accepts. */
public final class S3Clients {

  private S3Clients() {}

  public static S3Client create(S3Settings settings) {
    return builder(settings).build();
  }

  /** A client that publishes the SDK's metrics of every call to {@code metrics} (none if null). */
  public static S3Client create(S3Settings settings, MetricPublisher metrics) {
    return builder(settings, metrics).build();
  }

  /**
   * The configured builder behind {@link #create}, for callers that add to it (tests that observe
   * requests through an execution interceptor), with {@code interceptors} after the store's own.
   * Add interceptors here: {@code overrideConfiguration(...)} on the returned builder replaces the
   * whole override configuration, the command deadline's interceptor included.
   */
  public static S3ClientBuilder builder(S3Settings settings, ExecutionInterceptor... interceptors) {
    return builder(settings, null, interceptors);
  }

  private static S3ClientBuilder builder(
      S3Settings settings, MetricPublisher metrics, ExecutionInterceptor... interceptors) {
    S3ClientBuilder builder =
        S3Client.builder()
            // Chosen explicitly: with several HTTP clients on the classpath the SDK picks one at
            // random-looking precedence. Renewed when an Error shut its connection pool down.
            .httpClientBuilder(
                RenewingHttpClient.around(
                    Apache5HttpClient.builder()
                        .maxConnections(settings.maxConnections())
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))))
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials(settings))
            .forcePathStyle(settings.pathStyle())
            // The SDK's default flexible checksums send aws-chunked bodies with trailers that
            // S3-compatible servers reject; integrity is already guaranteed by the AEAD tags.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            // Commands get their time limit per call from the thread's StorageDeadline.
            .overrideConfiguration(
                c -> {
                  c.addExecutionInterceptor(new DeadlineInterceptor());
                  for (ExecutionInterceptor interceptor : interceptors) {
                    c.addExecutionInterceptor(interceptor);
                  }
                  if (metrics != null) {
                    c.addMetricPublisher(metrics);
                  }
                });
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    if (LoopbackPayloadSigning.appliesTo(settings.endpoint())) {
      builder.putAuthScheme(new LoopbackPayloadSigning());
    }
    return builder;
  }

  private static AwsCredentialsProvider credentials(S3Settings settings) {
    if (settings.accessKeyId() == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
  }
}
