package dev.dropzone.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as data: its services, their environment, ports and volumes. SnakeYAML
 * resolves anchors and merge keys ({@code <<: *dropzone-env}) the way docker compose does.
 */
final class ComposeFile {

  static final String PATH = "docker-compose.yml";

  private final Map<String, Object> services;

  private ComposeFile(Map<String, Object> services) {
    this.services = services;
  }

  static ComposeFile read() throws IOException {
    Map<String, Object> root = new Yaml().load(RepositoryFiles.read(PATH));
    return new ComposeFile(map(root.get("services"), "services"));
  }

  List<String> serviceNames() {
    return List.copyOf(services.keySet());
  }

  Map<String, Object> service(String name) {
    if (!services.containsKey(name)) {
      throw new AssertionError(PATH + " has no service " + name);
    }
    return map(services.get(name), name);
  }

  String image(String name) {
    return String.valueOf(service(name).get("image"));
  }

  /** The service's environment (a mapping in this file), values as text. */
  Map<String, String> environment(String name) {
    Map<String, String> env = new LinkedHashMap<>();
    map(service(name).getOrDefault("environment", Map.of()), name + ".environment")
        .forEach((key, value) -> env.put(key, String.valueOf(value)));
    return env;
  }

  List<String> strings(String name, String field) {
    List<String> values = new ArrayList<>();
    Object list = service(name).getOrDefault(field, List.of());
    if (!(list instanceof List<?> items)) {
      throw new AssertionError(name + "." + field + " is not a list in " + PATH);
    }
    items.forEach(item -> values.add(String.valueOf(item)));
    return values;
  }

  /** Services that run the Dropzone image as a gateway (not a one-shot task with an entrypoint). */
  List<String> gateways() {
    return serviceNames().stream()
        .filter(name -> image(name).startsWith("dropzone:"))
        .filter(name -> !service(name).containsKey("entrypoint"))
        .toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node, String what) {
    if (!(node instanceof Map<?, ?>)) {
      throw new AssertionError(what + " is not a mapping in " + PATH);
    }
    return (Map<String, Object>) node;
  }
}
