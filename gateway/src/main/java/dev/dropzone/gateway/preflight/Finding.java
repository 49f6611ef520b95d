package dev.dropzone.gateway.preflight;

/**
 * One result of the preflight.
 *
 * @param area what was checked, e.g. {@code S3}
 * @param outcome whether it passed
 * @param message what was found, and for a problem what to do
 */
public record Finding(String area, Outcome outcome, String message) {

  /** How a check ended. */
  public enum Outcome {
    OK,
    /** Works, but something an operator should change. */
    WARNING,
    /** Not checked because its configuration has problems, which are listed. */
    SKIPPED,
    /** The configuration or a local file is wrong: fix it and retry (exit code 2). */
    INVALID,
    /** A service the gateway needs refused or did not answer (exit code 1). */
    FAILED
  }

  static Finding ok(String area, String message) {
    return new Finding(area, Outcome.OK, message);
  }

  static Finding warning(String area, String message) {
    return new Finding(area, Outcome.WARNING, message);
  }

  static Finding skipped(String area, String section) {
    return new Finding(
        area, Outcome.SKIPPED, "not checked: fix the " + section + " problems above first");
  }

  static Finding invalid(String area, String message) {
    return new Finding(area, Outcome.INVALID, message);
  }

  static Finding failed(String area, String message) {
    return new Finding(area, Outcome.FAILED, message);
  }

  /** One line of the report. */
  @Override
  public String toString() {
    String label =
        switch (outcome) {
          case OK -> "ok      ";
          case WARNING -> "WARNING ";
          case SKIPPED -> "skipped ";
          default -> "PROBLEM ";
        };
    return label + area + ": " + message;
  }
}
