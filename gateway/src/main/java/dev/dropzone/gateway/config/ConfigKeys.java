package dev.dropzone.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration keys, their defaults and their environment variable names, all derived from the
 * bundled defaults file. The naming rule is mechanical: {@code DROPZONE_} followed by the key path
 * with each segment's camelCase split into upper-case words joined by {@code _}, e.g. {@code
 * ftp.passivePorts} → {@code DROPZONE_FTP_PASSIVE_PORTS}, {@code keys.cache.ttl} → {@code
 * DROPZONE_KEYS_CACHE_TTL}.
 */
public final class ConfigKeys {

  public static final String ENV_PREFIX = "DROPZONE_";

  /**
   * Appended to a variable name to read the value from a file instead (Docker/Kubernetes secrets).
   */
  public static final String FILE_SUFFIX = "_FILE";

  /**
   * One configuration key.
   *
   * @param path dotted key path as written in YAML, e.g. {@code ftp.tls.required}
   * @param env the environment variable that overrides it
   * @param defaultValue the default as text, or null when there is none
   */
  public record Key(String path, String env, String defaultValue) {}

  private static final ObjectNode DEFAULTS = loadDefaults();
  private static final List<Key> ALL = collect();

  private ConfigKeys() {}

  public static List<Key> all() {
    return ALL;
  }

  public static Optional<Key> find(String path) {
    return ALL.stream().filter(k -> k.path().equals(path)).findFirst();
  }

  /** A fresh copy of the defaults tree. */
  static ObjectNode defaults() {
    return DEFAULTS.deepCopy();
  }

  /** {@code ftp.passivePorts} → {@code DROPZONE_FTP_PASSIVE_PORTS}. */
  public static String envName(String path) {
    StringBuilder out = new StringBuilder(ENV_PREFIX);
    String[] segments = path.split("\\.");
    for (int s = 0; s < segments.length; s++) {
      if (s > 0) {
        out.append('_');
      }
      String segment = segments[s];
      for (int i = 0; i < segment.length(); i++) {
        char c = segment.charAt(i);
        if (Character.isUpperCase(c) && i > 0) {
          out.append('_');
        }
        out.append(Character.toUpperCase(c));
      }
    }
    return out.toString().toUpperCase(Locale.ROOT);
  }

  private static List<Key> collect() {
    List<Key> keys = new ArrayList<>();
    walk("", DEFAULTS, keys);
    return Collections.unmodifiableList(keys);
  }

  private static void walk(String prefix, JsonNode node, List<Key> out) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        walk(path, value, out);
      } else {
        out.add(new Key(path, envName(path), value.isNull() ? null : value.asText()));
      }
    }
  }

  private static ObjectNode loadDefaults() {
    try (InputStream in = ConfigKeys.class.getResourceAsStream("defaults.yaml")) {
      if (in == null) {
        throw new IllegalStateException("defaults.yaml is missing from the gateway jar");
      }
      return (ObjectNode) YamlMappers.strict().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
