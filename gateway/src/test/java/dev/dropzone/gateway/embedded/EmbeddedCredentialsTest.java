package dev.dropzone.gateway.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded S3 secret lives in an owner-only file, whatever state the file was left in. */
class EmbeddedCredentialsTest {

  @TempDir Path dir;

  @Test
  void aCredentialsFileReadableByOthersIsMadeOwnerOnlyAgain() throws Exception {
    Path file = dir.resolve("embedded.yaml");
    EmbeddedCredentials created = EmbeddedCredentials.loadOrCreate(file);
    assertThat(permissions(file)).isEqualTo("rw-------");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    EmbeddedCredentials again = EmbeddedCredentials.loadOrCreate(file);

    assertThat(again).isEqualTo(created);
    assertThat(permissions(file)).isEqualTo("rw-------");
  }

  private static String permissions(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }
}
