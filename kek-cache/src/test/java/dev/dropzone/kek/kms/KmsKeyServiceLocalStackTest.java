package dev.dropzone.kek.kms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.http.HttpSettings;
import dev.dropzone.kek.testing.KeyFailure;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/** The KMS provider against LocalStack's KMS; skipped where no Docker engine runs. */
@Testcontainers(disabledWithoutDocker = true)
class KmsKeyServiceLocalStackTest {

  @Container
  static final LocalStackContainer LOCALSTACK =
      new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.4"))
          .withServices("kms");

  @Test
  void wrapsAndUnwrapsWithARealKmsKeyBoundToTheUser() throws Exception {
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()));
    String keyId;
    try (KmsClient admin =
        KmsClient.builder()
            .endpointOverride(LOCALSTACK.getEndpoint())
            .region(Region.of(LOCALSTACK.getRegion()))
            .credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build()) {
      keyId =
          admin.createKey(request -> request.description("dropzone test")).keyMetadata().keyId();
      admin.createAlias(request -> request.aliasName("alias/dropzone").targetKeyId(keyId));
    }
    KmsSettings settings =
        KmsSettings.of("alias/dropzone", LOCALSTACK.getRegion())
            .withEndpoint(LOCALSTACK.getEndpoint())
            .withCredentials(credentials)
            // LocalStack speaks plain HTTP, on whatever host runs the containers.
            .withHttp(HttpSettings.defaults().withPlainHttpAllowed(true));
    try (KmsKeyService service = KmsKeyService.open(settings)) {
      byte[] dataKey = StreamingKeys.newDataKey();

      WrappedKey wrapped =
          service.wrap(dataKey, KeyBinding.user("alice")).get(30, TimeUnit.SECONDS);

      assertThat(wrapped.ref()).startsWith("kms:arn:aws:kms:").endsWith(keyId);
      assertThat(service.unwrap(wrapped, KeyBinding.user("alice")).get(30, TimeUnit.SECONDS))
          .isEqualTo(dataKey);
      KeyServiceException otherUser =
          KeyFailure.of(service.unwrap(wrapped, KeyBinding.user("mallory")));
      assertThat(otherUser.failure()).isEqualTo(Failure.REJECTED);
    }
  }
}
