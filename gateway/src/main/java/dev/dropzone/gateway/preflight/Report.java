package dev.dropzone.gateway.preflight;

import java.util.List;

/** Everything the preflight found, in the order it was checked. */
public record Report(List<Finding> findings) {

  public Report {
    findings = List.copyOf(findings);
  }

  public long problems() {
    return findings.stream()
        .filter(
            f -> f.outcome() == Finding.Outcome.INVALID || f.outcome() == Finding.Outcome.FAILED)
        .count();
  }

  /** 0 when all passed, 2 when the configuration or a local file is wrong, else 1. */
  public int exitCode() {
    if (findings.stream().anyMatch(f -> f.outcome() == Finding.Outcome.INVALID)) {
      return 2;
    }
    return findings.stream().anyMatch(f -> f.outcome() == Finding.Outcome.FAILED) ? 1 : 0;
  }
}
