package dev.dropzone.gateway.auth.pam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.gateway.auth.Permission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PamSettingsTest {

  @Test
  void defaultsRefuseSystemAccountsAndNoLoginShells() {
    PamSettings settings = PamSettings.defaults();
    assertThat(settings.service()).isEqualTo("dropzone");
    assertThat(settings.minimumUid()).isEqualTo(1000);
    assertThat(settings.refusedShells()).contains("/usr/sbin/nologin", "/bin/false");
    assertThat(settings.homePrefix()).isEqualTo("users");
    assertThat(settings.permissions()).isEqualTo(EnumSet.allOf(Permission.class));
  }

  @Test
  void serviceNameMustBeAPlainFileName() {
    assertThatThrownBy(() -> PamSettings.defaults().withService("../passwd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain file name");
  }

  @Test
  void minimumUidCannotAdmitRoot() {
    assertThatThrownBy(
            () ->
                new PamSettings(
                    "dropzone",
                    0,
                    Set.of(),
                    "users",
                    EnumSet.allOf(Permission.class),
                    PamSettings.DEFAULT_SERVICE_DIRECTORIES))
        .hasMessageContaining("at least 1");
  }

  @Test
  void homePrefixMustStayInTheTree() {
    assertThatThrownBy(
            () ->
                new PamSettings(
                    "dropzone",
                    1000,
                    Set.of(),
                    "../elsewhere",
                    EnumSet.allOf(Permission.class),
                    List.of()))
        .hasMessageContaining("home prefix");
  }
}
