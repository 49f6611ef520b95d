package dev.dropzone.it;

import dev.dropzone.kek.http.HttpSettings;
import dev.dropzone.kek.kms.KmsKeyService;
import dev.dropzone.kek.kms.KmsSettings;
import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The contract on LocalStack's S3 and KMS with the {@code kms} key provider, the cloud-like path.
 * LocalStack runs the same init script as docker compose, so the bucket, its lifecycle rule and the
 * {@code alias/dropzone} key are made exactly as users get them. Skipped where no Docker engine
 * runs.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackContractTest extends GatewayContract {

  /** Keep in step with the image in docker-compose.yml (checked by ComposeFileTest). */
  static final String IMAGE = "localstack/localstack:4.4";

  private static final String BUCKET = "dropzone";
  private static final String PREFIX = "contract";
  private static final String KEY_ALIAS = "alias/dropzone";

  @Container
  static final LocalStackContainer LOCALSTACK =
      new LocalStackContainer(DockerImageName.parse(IMAGE))
          .withServices("s3", "kms")
          .withEnv("DROPZONE_BUCKET", BUCKET)
          .withEnv("DROPZONE_PREFIX", PREFIX)
          .withCopyFileToContainer(
              MountableFile.forHostPath(Path.of("init/ready.d/10-dropzone.sh"), 0755),
              "/etc/localstack/init/ready.d/10-dropzone.sh");

  @Override
  Backend openBackend() {
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()));
    S3Settings s3 =
        S3Settings.of(
            LOCALSTACK.getEndpoint(),
            LOCALSTACK.getRegion(),
            LOCALSTACK.getAccessKey(),
            LOCALSTACK.getSecretKey(),
            BUCKET,
            PREFIX);
    awaitInitScript(s3, credentials);
    KmsKeyService keys =
        KmsKeyService.open(
            KmsSettings.of(KEY_ALIAS, LOCALSTACK.getRegion())
                .withEndpoint(LOCALSTACK.getEndpoint())
                .withCredentials(credentials)
                // LocalStack speaks plain HTTP, on whatever host runs the containers.
                .withHttp(HttpSettings.defaults().withPlainHttpAllowed(true)));
    return new Backend(s3, keys, KmsKeyService.PROVIDER, keys);
  }

  /** The ready.d hook may still be running when LocalStack reports itself ready. */
  private static void awaitInitScript(S3Settings s3, StaticCredentialsProvider credentials) {
    try (S3Client s3Client = S3Clients.create(s3);
        KmsClient kms =
            KmsClient.builder()
                .endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion()))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
      Awaitility.await("bucket, lifecycle rule and KMS alias from the init script")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                kms.describeKey(b -> b.keyId(KEY_ALIAS));
                return s3Client
                    .getBucketLifecycleConfiguration(b -> b.bucket(BUCKET))
                    .rules()
                    .stream()
                    .anyMatch(
                        rule ->
                            rule.abortIncompleteMultipartUpload() != null
                                && rule.abortIncompleteMultipartUpload().daysAfterInitiation()
                                    == 1);
              });
    }
  }
}
