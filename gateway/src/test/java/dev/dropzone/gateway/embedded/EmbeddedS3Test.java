package dev.dropzone.gateway.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.S3Settings;
import dev.dropzone.store.s3.S3Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class EmbeddedS3Test {

  @TempDir Path dataDir;

  private static S3Client client(EmbeddedS3 server, String access, String secret) {
    return S3Clients.create(
        S3Settings.of(server.endpoint(), "us-east-1", access, secret, "dropzone", ""));
  }

  @Test
  void objectsAndCredentialsSurviveARestart() throws Exception {
    Path credentialsFile = dataDir.resolve("embedded.yaml");
    EmbeddedCredentials credentials = EmbeddedCredentials.loadOrCreate(credentialsFile);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentialsFile)))
        .isEqualTo("rw-------");
    assertThat(credentials.toString()).doesNotContain(credentials.secretKey());

    try (EmbeddedS3 server = EmbeddedS3.start(dataDir.resolve("s3"), 0, "dropzone", credentials);
        S3Client s3 = client(server, credentials.accessKey(), credentials.secretKey())) {
      assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
      s3.putObject(b -> b.bucket("dropzone").key("a/b.txt"), RequestBody.fromString("hello"));
    }

    EmbeddedCredentials again = EmbeddedCredentials.loadOrCreate(credentialsFile);
    assertThat(again).isEqualTo(credentials);
    try (EmbeddedS3 server = EmbeddedS3.start(dataDir.resolve("s3"), 0, "dropzone", again);
        S3Client s3 = client(server, again.accessKey(), again.secretKey())) {
      assertThat(s3.getObjectAsBytes(b -> b.bucket("dropzone").key("a/b.txt")).asUtf8String())
          .isEqualTo("hello");
    }
  }

  @Test
  void wrongCredentialsAreRefused() throws Exception {
    EmbeddedCredentials credentials =
        EmbeddedCredentials.loadOrCreate(dataDir.resolve("embedded.yaml"));
    try (EmbeddedS3 server = EmbeddedS3.start(dataDir.resolve("s3"), 0, "dropzone", credentials);
        S3Client s3 = client(server, credentials.accessKey(), "not-the-secret")) {
      assertThatThrownBy(() -> s3.listObjectsV2(b -> b.bucket("dropzone")))
          .isInstanceOfSatisfying(
              S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    }
  }

  @Test
  void aDamagedCredentialsFileSaysHowToRecover() throws Exception {
    Path file = dataDir.resolve("embedded.yaml");
    Files.writeString(file, "accessKey: only\n");
    assertThatThrownBy(() -> EmbeddedCredentials.loadOrCreate(file))
        .hasMessageContaining("delete it to generate new S3 credentials");
  }
}
