package dev.dropzone.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reason given when a configured file cannot be read names uids and the mode. */
class LocalFilesTest {

  @TempDir Path dir;

  @Test
  void aDeniedReadNamesThisProcessesUidTheOwnerAndTheMode() throws Exception {
    Path file = Files.writeString(dir.resolve("users.yaml"), "users: []\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    long owner = ((Number) Files.getAttribute(file, "unix:uid")).longValue();

    String reason = LocalFiles.describe(file, new AccessDeniedException(file.toString()));

    assertThat(reason)
        .isEqualTo(
            "permission denied for uid "
                + LocalFiles.currentUid().orElseThrow()
                + " (the file belongs to uid "
                + owner
                + ", mode rw-------)");
  }

  @Test
  void aDeniedReadBelowAMissingDirectorySaysWhichPartExists() throws Exception {
    Path file = dir.resolve("absent/users.yaml");

    String reason = LocalFiles.describe(file, new AccessDeniedException(file.toString()));

    assertThat(reason).contains("its directory " + dir + " belongs to uid");
  }
}
