package dev.dropzone.kek.kms;

import dev.dropzone.kek.http.HttpSettings;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * Which AWS KMS key wraps user keys and how to reach KMS.
 *
 * @param keyId key id, key ARN, alias name ({@code alias/dropzone}) or alias ARN: the only key new
 *     data keys are wrapped with, and the key every unwrap names to KMS unless the wrapped key was
 *     made by one of {@code retiredKeyIds}
 * @param retiredKeyIds key ids or key ARNs of keys rotated away (an alias moved to a new key, a key
 *     replaced by another) whose wrapped keys must still unwrap; never aliases, which name whatever
 *     key they point to now
 * @param region the AWS region, e.g. {@code eu-west-1}
 * @param endpoint an endpoint override, e.g. LocalStack's {@code http://localhost:4566}
 * @param credentials where AWS credentials come from; the SDK's default chain unless set
 * @param http timeouts, attempts, backoff, concurrent calls and CA bundle of the KMS client
 */
public record KmsSettings(
    String keyId,
    List<String> retiredKeyIds,
    String region,
    Optional<URI> endpoint,
    AwsCredentialsProvider credentials,
    HttpSettings http) {

  public KmsSettings {
    Objects.requireNonNull(keyId, "keyId");
    retiredKeyIds = List.copyOf(retiredKeyIds);
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(http, "http");
    if (keyId.isBlank() || keyId.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("KMS key id must be printable and non-empty: " + keyId);
    }
    for (String retired : retiredKeyIds) {
      if (retired.isBlank() || retired.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException(
            "a retired KMS key id must be printable and non-empty: '" + retired + "'");
      }
      if (KeyIds.isAlias(retired)) {
        throw new IllegalArgumentException(
            "retired KMS key '"
                + retired
                + "' is an alias; name retired keys by key id or key ARN, because an alias names"
                + " whatever key it points to now");
      }
    }
    if (region.isBlank()) {
      throw new IllegalArgumentException("KMS region is empty");
    }
  }

  /** The key in {@code region}, credentials from the SDK's default chain, default HTTP. */
  public static KmsSettings of(String keyId, String region) {
    return new KmsSettings(
        keyId,
        List.of(),
        region,
        Optional.empty(),
        DefaultCredentialsProvider.builder().build(),
        HttpSettings.defaults());
  }

  /** These settings, with {@code keys} also allowed to unwrap what they wrapped. */
  public KmsSettings withRetiredKeyIds(List<String> keys) {
    return new KmsSettings(keyId, keys, region, endpoint, credentials, http);
  }

  public KmsSettings withEndpoint(URI newEndpoint) {
    return new KmsSettings(
        keyId, retiredKeyIds, region, Optional.of(newEndpoint), credentials, http);
  }

  public KmsSettings withCredentials(AwsCredentialsProvider newCredentials) {
    return new KmsSettings(keyId, retiredKeyIds, region, endpoint, newCredentials, http);
  }

  public KmsSettings withHttp(HttpSettings newHttp) {
    return new KmsSettings(keyId, retiredKeyIds, region, endpoint, credentials, newHttp);
  }
}
