package dev.dropzone.gateway.config;

import dev.dropzone.gateway.admin.AdminSettings;
import dev.dropzone.gateway.admin.BearerToken;
import java.time.Duration;

/** Validates the {@code admin} section and turns it into {@link AdminSettings}. */
final class AdminSection {

  private AdminSection() {}

  /** The settings, or null when the endpoint is off (the rest of the section is then not read). */
  static AdminSettings settings(DropzoneConfig.Admin c, Problems problems) {
    if (!c.enabled()) {
      return null;
    }
    boolean valid =
        problems.check(
                c.bind() != null && !c.bind().isBlank(),
                "admin.bind",
                c.bind(),
                "must be an address like 127.0.0.1")
            & problems.check(
                c.port() >= 0 && c.port() <= 65535,
                "admin.port",
                c.port(),
                "is not a port (0-65535)")
            & problems.check(
                c.checkCacheTtl() != null && !c.checkCacheTtl().isNegative(),
                "admin.checkCacheTtl",
                format(c.checkCacheTtl()),
                "must not be negative (0 runs every check on every probe)")
            & problems.check(
                c.checkTimeout() != null && c.checkTimeout().compareTo(Duration.ofMillis(100)) >= 0,
                "admin.checkTimeout",
                format(c.checkTimeout()),
                "must be at least 100ms");
    BearerToken token = null;
    if (c.token() != null && !c.token().isEmpty()) {
      try {
        token = BearerToken.of(c.token().reveal());
      } catch (IllegalArgumentException e) {
        // The value itself is a secret: the message never repeats it.
        problems.add("admin.token", e.getMessage());
        valid = false;
      }
    }
    return valid
        ? new AdminSettings(c.bind(), c.port(), token, c.checkCacheTtl(), c.checkTimeout())
        : null;
  }

  private static String format(Duration d) {
    return d == null ? "" : Durations.format(d);
  }
}
