package dev.dropzone.gateway.admin;

import java.util.Optional;

/** Something the gateway needs in order to serve, checked by {@code /readyz}. */
@FunctionalInterface
public interface ReadinessCheck {

  /**
   * Runs the check; it may block (network calls), and is given its time limit by the caller.
   *
   * @return what is wrong and what to check, or empty when ready
   */
  Optional<String> problem();
}
