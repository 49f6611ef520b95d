package dev.dropzone.gateway.admin;

/**
 * What one readiness check found.
 *
 * @param name the check's name in the {@code /readyz} body
 * @param problem what is wrong, or null when the check passed
 */
public record CheckResult(String name, String problem) {

  static CheckResult passed(String name) {
    return new CheckResult(name, null);
  }

  public boolean ok() {
    return problem == null;
  }
}
