package dev.dropzone.gateway.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every validation problem so one run reports them all, not one per restart. */
final class Problems {

  private final List<String> messages = new ArrayList<>();

  /** Records {@code key: 'value' message} unless {@code ok}. */
  boolean check(boolean ok, String key, Object value, String message) {
    if (!ok) {
      add(key, "'" + value + "' " + message);
    }
    return ok;
  }

  void add(String key, String message) {
    messages.add(key + ": " + message);
  }

  List<String> messages() {
    return List.copyOf(messages);
  }

  void throwIfAny() throws ConfigException {
    if (!messages.isEmpty()) {
      throw new ConfigException(messages);
    }
  }
}
