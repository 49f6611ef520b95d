package dev.dropzone.gateway.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.auth.pam.PamSettings;
import dev.dropzone.gateway.config.AuthSettings;
import dev.dropzone.gateway.config.AuthSettings.Backend;
import dev.dropzone.gateway.users.FileAuthenticator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserSourcesTest {

  @TempDir Path dir;

  @Test
  void aSingleBackendIsUsedWithoutAChain() {
    try (UserSources file = UserSources.open(AuthSettings.fileOnly(), dir.resolve("u.yaml"))) {
      assertThat(file.authenticator()).isInstanceOf(FileAuthenticator.class);
    }
  }

  @Test
  void aBackendThatCannotBeUsedIsNamedWithTheReason() {
    String missing = "dropzone-missing-" + UUID.randomUUID();
    AuthSettings settings =
        new AuthSettings(
            List.of(Backend.FILE, Backend.PAM),
            PamSettings.defaults().withService(missing),
            null,
            Duration.ZERO);

    assertThatThrownBy(() -> UserSources.open(settings, dir.resolve("users.yaml")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("auth.backends: backend 'pam' cannot be used")
        .hasMessageContaining("PAM service file '" + missing + "' not found");
  }
}
