package dev.dropzone.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.net.URI;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Payload hashing is skipped only towards a loopback endpoint, and signatures still count. */
class LoopbackPayloadSigningTest {

  private static final String CONTENT_SHA256 = "x-amz-content-sha256";

  private static S3ProxyFixture s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyFixture.inMemory();
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  @Test
  void onlyPlainHttpToALiteralLoopbackHostWithItsOwnPortQualifies() {
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://127.0.0.1:9000"))).isTrue();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://localhost:9000"))).isTrue();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://[::1]:9000"))).isTrue();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("https://127.0.0.1:9000"))).isFalse();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://10.0.0.5:9000"))).isFalse();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://minio.internal:9000")))
        .isFalse();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://127.0.0.1"))).isFalse();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://127.1.2.3:9000"))).isTrue();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://127.evil.example:9000")))
        .isFalse();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://127.0.0.1.nip.io:9000")))
        .isFalse();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://localhost.example:9000")))
        .isFalse();
    assertThat(LoopbackPayloadSigning.appliesTo(URI.create("http://127.0.0.1:80"))).isFalse();
    assertThat(LoopbackPayloadSigning.appliesTo(null)).isFalse();
  }

  @Test
  void loopbackUploadsSendAnUnsignedPayloadThatTheServerAccepts() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    S3Settings settings = s3.bucket("loopback-signing", "");
    byte[] body = new byte[3 << 20];
    new Random(7).nextBytes(body);
    try (S3Client client = client(settings, seen, false)) {
      client.putObject(b -> b.bucket(settings.bucket()).key("k"), RequestBody.fromBytes(body));
      assertThat(client.getObjectAsBytes(b -> b.bucket(settings.bucket()).key("k")).asByteArray())
          .isEqualTo(body);
    }
    assertThat(seen).isNotEmpty().allMatch("UNSIGNED-PAYLOAD"::equals);
  }

  @Test
  void aWrongSecretIsStillRefused() {
    S3Settings right = s3.bucket("loopback-refused", "");
    S3Settings wrong =
        new S3Settings(
            right.endpoint(),
            right.region(),
            right.accessKeyId(),
            "not-the-secret",
            right.bucket(),
            "",
            true,
            right.partSize(),
            right.partsInFlight(),
            right.maxConnections());
    try (S3Client client = S3Clients.create(wrong)) {
      assertThatThrownBy(
              () ->
                  client.putObject(
                      b -> b.bucket(wrong.bucket()).key("k"), RequestBody.fromString("x")))
          .isInstanceOf(S3Exception.class)
          .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(403));
    }
  }

  @Test
  void otherHostsKeepTheSdksPayloadSigning() {
    List<String> seen = new CopyOnWriteArrayList<>();
    S3Settings remote =
        new S3Settings(
            URI.create("http://10.255.255.1:9000"),
            S3ProxyFixture.REGION,
            S3ProxyFixture.ACCESS_KEY,
            S3ProxyFixture.SECRET_KEY,
            "remote",
            "",
            true,
            S3Settings.DEFAULT_PART_SIZE,
            S3Settings.DEFAULT_PARTS_IN_FLIGHT,
            S3Settings.DEFAULT_MAX_CONNECTIONS);
    try (S3Client client = client(remote, seen, true)) {
      assertThatThrownBy(
              () ->
                  client.putObject(
                      b -> b.bucket("remote").key("k"), RequestBody.fromString("payload")))
          .isInstanceOf(Stopped.class);
    }
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).isEqualTo("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  }

  /** A client that records each request's payload hash header as sent (and may stop there). */
  private static S3Client client(S3Settings settings, List<String> seen, boolean stop) {
    return S3Clients.builder(settings)
        .overrideConfiguration(
            c ->
                c.addExecutionInterceptor(
                    new ExecutionInterceptor() {
                      @Override
                      public void beforeTransmission(
                          Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        seen.add(
                            context.httpRequest().firstMatchingHeader(CONTENT_SHA256).orElse(""));
                        if (stop) {
                          throw new Stopped();
                        }
                      }
                    }))
        .build();
  }

  /** Ends a request before it reaches the network. */
  private static final class Stopped extends RuntimeException {
    Stopped() {
      super("stopped before transmission");
    }
  }
}
