package dev.dropzone.gateway.config;

import dev.dropzone.gateway.scan.ClamdAddress;
import dev.dropzone.gateway.scan.ScanSettings;
import dev.dropzone.gateway.scan.ScanSettings.Fallback;
import java.time.Duration;
import java.util.Locale;

/** Validates the {@code scan} section and turns it into {@link ScanSettings}. */
final class ScanSection {

  private ScanSection() {}

  /** The settings, or null when scanning is off (the rest of the section is then not read). */
  static ScanSettings settings(DropzoneConfig.Scan c, Problems problems) {
    if (!c.enabled()) {
      return null;
    }
    ClamdAddress clamd = null;
    try {
      clamd = ClamdAddress.parse(c.clamd());
    } catch (IllegalArgumentException e) {
      problems.add("scan.clamd", e.getMessage());
    }
    problems.check(
        c.maxConnections() >= 1, "scan.maxConnections", c.maxConnections(), "must be ≥ 1");
    boolean timeouts =
        positive(problems, "scan.connectTimeout", c.connectTimeout())
            & positive(problems, "scan.verdictTimeout", c.verdictTimeout());
    Fallback onFailure = fallback(problems, "scan.onFailure", c.onFailure());
    Fallback onTooLarge = fallback(problems, "scan.onTooLarge", c.onTooLarge());
    long maxSize = c.maxSize() == null ? 0 : c.maxSize().bytes();
    problems.check(
        maxSize >= 1,
        "scan.maxSize",
        c.maxSize(),
        "must be at least 1 byte and at most clamd's StreamMaxLength");
    if (clamd == null
        || c.maxConnections() < 1
        || !timeouts
        || onFailure == null
        || onTooLarge == null
        || maxSize < 1) {
      return null;
    }
    return new ScanSettings(
        clamd,
        c.maxConnections(),
        c.connectTimeout(),
        c.verdictTimeout(),
        onFailure,
        maxSize,
        onTooLarge,
        c.allUsers());
  }

  private static Fallback fallback(Problems problems, String key, String value) {
    String name = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "refuse" -> Fallback.REFUSE;
      case "store" -> Fallback.STORE;
      default -> {
        problems.add(key, "'" + value + "' is not one of refuse, store");
        yield null;
      }
    };
  }

  private static boolean positive(Problems problems, String key, Duration d) {
    return problems.check(
        d != null && !d.isNegative() && !d.isZero(),
        key,
        d == null ? "" : Durations.format(d),
        "must be longer than 0");
  }
}
