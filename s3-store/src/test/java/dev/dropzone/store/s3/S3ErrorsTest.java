package dev.dropzone.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Real failures of a real S3 server, and what the store makes of them. */
class S3ErrorsTest {

  private static S3ProxyFixture server;
  private static S3Settings settings;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyFixture.inMemory();
    settings = server.bucket("errors", "");
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void aMissingObjectIsNotFound() {
    StoreException e =
        mapped(settings, s3 -> s3.getObjectAsBytes(b -> b.bucket("errors").key("x")));
    assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(e).hasMessage("No such file");
  }

  @Test
  void anObjectReplacedSinceItsVersionWasReadIsChangedNotAStorageFault() {
    String read;
    try (S3Client raw = S3Clients.create(settings)) {
      raw.putObject(b -> b.bucket("errors").key("v"), RequestBody.fromString("one"));
      read = raw.headObject(b -> b.bucket("errors").key("v")).eTag();
      // Another upload, through this gateway or another, replaces it.
      raw.putObject(b -> b.bucket("errors").key("v"), RequestBody.fromString("two"));
    }

    StoreException e =
        mapped(settings, s3 -> s3.getObjectAsBytes(b -> b.bucket("errors").key("v").ifMatch(read)));
    assertThat(e.reason()).isEqualTo(Reason.CHANGED);
    assertThat(e).hasMessage("Could not do it: the file was replaced meanwhile; try again");
  }

  @Test
  void aMissingBucketIsAStorageFaultNotAMissingFile() {
    StoreException e =
        mapped(settings, s3 -> s3.listObjectsV2(b -> b.bucket("no-such-bucket").prefix("a/")));
    assertThat(e.reason()).isEqualTo(Reason.STORAGE_UNAVAILABLE);
    assertThat(e)
        .hasMessage(
            "Storage failed to do it: the bucket does not exist (create it or correct the"
                + " gateway's bucket setting)");
  }

  @Test
  void wrongCredentialsAreTheGatewaysFaultNotTheClients() {
    S3Settings wrong = withWrongSecret();
    StoreException e = mapped(wrong, s3 -> s3.listObjectsV2(b -> b.bucket("errors")));
    assertThat(e.reason()).isEqualTo(Reason.STORAGE_DENIED);
    assertThat(e)
        .hasMessage(
            "Storage refused to do it (HTTP 403 SignatureDoesNotMatch): the gateway's S3"
                + " credentials are wrong; check s3.accessKeyId and s3.secretAccessKey (or the"
                + " credentials the AWS default chain finds)");
  }

  @Test
  void wrongCredentialsOnAHeadRequestAreDeniedToo() {
    S3Settings wrong = withWrongSecret();
    // A HEAD answer carries no error body, so there is no error code to go by.
    StoreException e = mapped(wrong, s3 -> s3.headObject(b -> b.bucket("errors").key("x")));
    assertThat(e.reason()).isEqualTo(Reason.STORAGE_DENIED);
    assertThat(e).hasMessageStartingWith("Storage refused to do it (HTTP 403): check that");
  }

  private static S3Settings withWrongSecret() {
    return S3Settings.of(
        settings.endpoint(),
        settings.region(),
        S3ProxyFixture.ACCESS_KEY,
        "wrong-secret",
        "errors",
        "");
  }

  @Test
  void anUnreachableServerIsUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    S3Settings nowhere =
        S3Settings.of(
            URI.create("http://127.0.0.1:" + closedPort),
            settings.region(),
            S3ProxyFixture.ACCESS_KEY,
            S3ProxyFixture.SECRET_KEY,
            "errors",
            "");
    StoreException e = mapped(nowhere, s3 -> s3.listObjectsV2(b -> b.bucket("errors")));
    assertThat(e.reason()).isEqualTo(Reason.STORAGE_UNAVAILABLE);
    assertThat(e).hasMessage("Storage unreachable while trying to do it, try again later");
  }

  private static StoreException mapped(S3Settings s, java.util.function.Consumer<S3Client> call) {
    try (S3Client s3 = S3Clients.create(s)) {
      SdkException e = catchThrowableOfType(SdkException.class, () -> call.accept(s3));
      assertThat(e).as("the call should fail").isNotNull();
      return S3Errors.map(e, "do it");
    }
  }
}
