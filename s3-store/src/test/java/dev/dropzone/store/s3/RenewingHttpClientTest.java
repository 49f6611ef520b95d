package dev.dropzone.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An {@link Error} thrown while a request is sent (an {@link OutOfMemoryError} under memory
 * pressure) makes Apache HttpClient 5 shut its whole connection pool down. The store's S3 client
 * must carry on with the next request.
 */
class RenewingHttpClientTest {

  private static final String BUCKET = "renewing";

  private static S3ProxyFixture s3;
  private static S3Settings settings;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3ProxyFixture.inMemory();
    settings = s3.bucket(BUCKET, "");
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @Test
  void withoutRenewalOneErrorLeavesTheClientUnusable() {
    // What the store's client guards against, shown on a plain SDK client.
    try (S3Client plain =
        S3Clients.builder(settings).httpClientBuilder(Apache5HttpClient.builder()).build()) {
      assertThatThrownBy(() -> put(plain, "broken.bin", failingBody()))
          .isInstanceOf(OutOfMemoryError.class);
      assertThatThrownBy(() -> put(plain, "after.bin", RequestBody.fromString("x")))
          .hasStackTraceContaining("Connection pool shut down");
    }
  }

  @Test
  void theStoresClientReplacesAPoolAnErrorShutDownAndTheNextRequestWorks() {
    try (S3Client client = S3Clients.create(settings)) {
      assertThatThrownBy(() -> put(client, "broken.bin", failingBody()))
          .isInstanceOf(OutOfMemoryError.class);
      put(client, "after.bin", RequestBody.fromString("still working"));
      assertThat(
              client
                  .getObjectAsBytes(b -> b.bucket(BUCKET).key("after.bin"))
                  .asString(StandardCharsets.UTF_8))
          .isEqualTo("still working");
      assertThat(client.listObjectsV2(b -> b.bucket(BUCKET)).contents())
          .noneMatch(o -> o.key().equals("broken.bin"));
    }
  }

  private static void put(S3Client client, String key, RequestBody body) {
    client.putObject(b -> b.bucket(BUCKET).key(key), body);
  }

  /** A body whose reading fails the way an allocation does when the heap is exhausted. */
  private static RequestBody failingBody() {
    return RequestBody.fromContentProvider(
        () ->
            new InputStream() {
              @Override
              public int read() {
                throw new OutOfMemoryError("simulated: Java heap space");
              }

              @Override
              public int read(byte[] b, int off, int len) {
                throw new OutOfMemoryError("simulated: Java heap space");
              }
            },
        1024,
        "application/octet-stream");
  }
}
