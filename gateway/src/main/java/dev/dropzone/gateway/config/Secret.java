package dev.dropzone.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;

/** A configuration value that must never be printed or logged: {@link #toString} hides it. */
public final class Secret {

  private final String value;

  @JsonCreator
  public Secret(String value) {
    this.value = value;
  }

  /** The secret itself; hand it straight to the component that needs it. */
  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value == null || value.isEmpty();
  }

  @Override
  public String toString() {
    return "******";
  }
}
