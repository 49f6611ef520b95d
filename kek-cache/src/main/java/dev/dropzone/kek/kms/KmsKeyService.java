package dev.dropzone.kek.kms;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.http.CaBundle;
import dev.dropzone.kek.http.HttpSettings;
import dev.dropzone.kek.http.PlainHttp;
import dev.dropzone.kek.provider.BlockingCalls;
import dev.dropzone.kek.provider.DataKeyBytes;
import dev.dropzone.kek.provider.ForeignKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;

/**
 * Wraps data keys with an AWS KMS key ({@code Encrypt}/{@code Decrypt}), binding each to what the
 * session is entitled to through the encryption context: {@code {"dropzone:user": <user>}} for
 * format v1 keys, {@code {"dropzone:domain": <key domain>}} for format v2, so a wrapped key copied
 * into another user's or domain's object does not decrypt. The reference records the key ARN KMS
 * reports ({@code kms:arn:aws:kms:...:key/...}).
 *
 * <p>Decrypt always names the configured key (or a configured retired key), never the key the
 * reference names: the reference is object metadata, and a Decrypt naming a key chosen by whoever
 * can write to the bucket would unwrap a data key of theirs. A wrapped key whose reference names
 * any other key is refused before KMS is asked. KMS's automatic key rotation keeps a key's ARN, so
 * it needs nothing here; a key replaced by another (an alias moved) must be listed as retired for
 * its wrapped keys to stay readable until {@code keys rewrap} has moved them.
 *
 * <p>The SDK client is blocking; calls run on a pool of {@link HttpSettings#maxInFlight()} threads,
 * which is also the bound on concurrent KMS requests. The SDK retries connection errors, 5xx and
 * throttling with the configured backoff; other 4xx answers are not retried.
 */
public final class KmsKeyService implements KeyService, AutoCloseable {

  /** The provider part of every {@code dz-key-ref} this service writes. */
  public static final String PROVIDER = "kms";

  static final String CONTEXT_KEY = "dropzone:user";
  static final String DOMAIN_CONTEXT_KEY = "dropzone:domain";

  private final KmsSettings settings;
  private final KmsClient client;
  private final BlockingCalls calls;
  private final DecryptionKeys decryptionKeys;
  private final String description;

  private KmsKeyService(KmsSettings settings, KmsClient client) {
    this.settings = settings;
    this.client = client;
    this.calls =
        new BlockingCalls(
            "dropzone-kms", settings.http().maxInFlight(), "the KMS client is closed");
    this.decryptionKeys =
        new DecryptionKeys(settings.keyId(), settings.retiredKeyIds(), System::nanoTime);
    this.description =
        "aws kms at "
            + settings.endpoint().map(Object::toString).orElse("region " + settings.region())
            + " key '"
            + settings.keyId()
            + "'";
  }

  /**
   * A client for the key in {@code settings}; close it to release its threads and connections.
   *
   * @throws UncheckedIOException if the configured CA bundle cannot be read
   * @throws IllegalArgumentException if the endpoint is plain http to another machine and the
   *     settings do not allow that ({@link PlainHttp})
   */
  public static KmsKeyService open(KmsSettings settings) {
    HttpSettings http = settings.http();
    settings.endpoint().ifPresent(endpoint -> PlainHttp.check(endpoint, http));
    UrlConnectionHttpClient.Builder transport =
        UrlConnectionHttpClient.builder()
            .connectionTimeout(http.connectTimeout())
            .socketTimeout(http.requestTimeout());
    if (http.caBundle().isPresent()) {
      try {
        var trust = CaBundle.trustManagers(http.caBundle().get());
        transport.tlsTrustManagersProvider(() -> trust);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    KmsClientBuilder builder =
        KmsClient.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(settings.credentials())
            .httpClientBuilder(transport)
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .apiCallAttemptTimeout(http.requestTimeout())
                    .retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(http.maxAttempts())
                            .backoffStrategy(
                                BackoffStrategy.exponentialDelay(
                                    http.firstBackoff(), http.maxBackoff()))
                            .build())
                    .build());
    settings.endpoint().ifPresent(builder::endpointOverride);
    return new KmsKeyService(settings, builder.build());
  }

  /** {@code kms:<key id or alias as configured>}. */
  @Override
  public String masterKeyId() {
    return PROVIDER + ":" + settings.keyId();
  }

  @Override
  public CompletableFuture<WrappedKey> wrap(byte[] dataKey, KeyBinding binding) {
    if (!DataKeyBytes.fits(dataKey)) {
      return CompletableFuture.failedFuture(DataKeyBytes.wrongSize(dataKey));
    }
    String operation = description + ": encrypt for " + binding;
    SdkBytes plaintext = SdkBytes.fromByteArray(dataKey);
    return call(
        operation,
        () -> {
          EncryptResponse response =
              client.encrypt(
                  request ->
                      request
                          .keyId(settings.keyId())
                          .plaintext(plaintext)
                          .encryptionContext(context(binding)));
          decryptionKeys.encryptedWith(response.keyId());
          try {
            return new WrappedKey(
                PROVIDER + ":" + response.keyId(),
                Base64.getEncoder().encodeToString(response.ciphertextBlob().asByteArray()));
          } catch (IllegalArgumentException e) {
            throw new CompletionException(
                new KeyServiceException(
                    Failure.REJECTED, operation + ": unusable reply: " + e.getMessage()));
          }
        });
  }

  @Override
  public CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding) {
    String operation = description + ": decrypt " + wrapped.ref() + " for " + binding;
    try {
      ForeignKeys.requireProvider(wrapped, PROVIDER, operation);
    } catch (KeyServiceException e) {
      return CompletableFuture.failedFuture(e);
    }
    String arn = wrapped.ref().substring(PROVIDER.length() + 1);
    SdkBytes blob;
    try {
      blob = SdkBytes.fromByteArray(Base64.getDecoder().decode(wrapped.text()));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new KeyServiceException(Failure.INVALID, operation + ": the wrapped key is not Base64"));
    }
    return call(
        operation,
        () -> {
          String keyId =
              decryptionKeys
                  .keyIdFor(arn, () -> aliasArn(operation))
                  .orElseThrow(() -> new CompletionException(foreignKey(arn, operation)));
          DecryptResponse response =
              client.decrypt(
                  request ->
                      request
                          .keyId(keyId)
                          .ciphertextBlob(blob)
                          .encryptionContext(context(binding)));
          return DataKeyBytes.checkUnwrapped(response.plaintext().asByteArray(), operation);
        });
  }

  /** The ARN of the key the configured alias names now, as DescribeKey reports it. */
  private String aliasArn(String operation) {
    try {
      return client.describeKey(request -> request.keyId(settings.keyId())).keyMetadata().arn();
    } catch (SdkException e) {
      throw new CompletionException(
          KmsFailures.of(
              e,
              operation
                  + ": DescribeKey, to learn which key the alias names (allow kms:DescribeKey on"
                  + " the key, or configure its key ARN instead of the alias)"));
    }
  }

  private KeyServiceException foreignKey(String arn, String operation) {
    return new KeyServiceException(
        Failure.REJECTED,
        operation
            + ": refused without asking KMS: the wrapped key names KMS key "
            + arn
            + ", which is not "
            + decryptionKeys.describeAllowed()
            + ". Its dz-key-ref was altered, or the key was rotated away: list it in"
            + " keys.kms.retiredKeyIds if it is one of yours");
  }

  private <T> CompletableFuture<T> call(String operation, Supplier<T> work) {
    return calls.run(
        operation,
        () -> {
          try {
            return work.get();
          } catch (SdkException e) {
            throw new CompletionException(KmsFailures.of(e, operation));
          }
        });
  }

  /** Format v1 keys carry the user, format v2 keys the key domain, as encryption context. */
  private static Map<String, String> context(KeyBinding binding) {
    return Map.of(
        binding.scope() == KeyBinding.Scope.USER ? CONTEXT_KEY : DOMAIN_CONTEXT_KEY,
        binding.name());
  }

  @Override
  public void close() {
    calls.close();
    client.close();
  }

  @Override
  public String toString() {
    return "KmsKeyService[" + description + "]";
  }
}
