package dev.dropzone.kek.kms;

import dev.dropzone.kek.http.HttpSettings;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * Which AWS KMS key wraps user keys and how to reach KMS.
 *
 * @param keyId key id, key ARN, alias name ({@code alias/dropzone}) or alias ARN
 * @param region the AWS region, e.g. {@code eu-west-1}
 * @param endpoint an endpoint override, e.g. LocalStack's {@code http://localhost:4566}
 * @param credentials where AWS credentials come from; the SDK's default chain unless set
 * @param http timeouts, attempts, backoff, concurrent calls and CA bundle of the KMS client
 */
public record KmsSettings(
    String keyId,
    String region,
    Optional<URI> endpoint,
    AwsCredentialsProvider credentials,
    HttpSettings http) {

  public KmsSettings {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(http, "http");
    if (keyId.isBlank() || keyId.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("KMS key id must be printable and non-empty: " + keyId);
    }
    if (region.isBlank()) {
      throw new IllegalArgumentException("KMS region is empty");
    }
  }

  /** The key in {@code region}, credentials from the SDK's default chain, default HTTP. */
  public static KmsSettings of(String keyId, String region) {
    return new KmsSettings(
        keyId,
        region,
        Optional.empty(),
        DefaultCredentialsProvider.builder().build(),
        HttpSettings.defaults());
  }

  public KmsSettings withEndpoint(URI newEndpoint) {
    return new KmsSettings(keyId, region, Optional.of(newEndpoint), credentials, http);
  }

  public KmsSettings withCredentials(AwsCredentialsProvider newCredentials) {
    return new KmsSettings(keyId, region, endpoint, newCredentials, http);
  }

  public KmsSettings withHttp(HttpSettings newHttp) {
    return new KmsSettings(keyId, region, endpoint, credentials, newHttp);
  }
}
