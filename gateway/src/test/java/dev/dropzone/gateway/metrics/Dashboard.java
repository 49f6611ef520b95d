package dev.dropzone.gateway.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Grafana dashboard in the repository, as a test reads it. */
final class Dashboard {

  static final Path FILE = Path.of("..", "docs", "grafana", "dropzone.json");

  private static final Pattern METRIC =
      Pattern.compile("\\b((?:dropzone|jvm|process)_[a-z0-9_]+)(?=[{\\[])");

  private final JsonNode root;

  private Dashboard(JsonNode root) {
    this.root = root;
  }

  static Dashboard read() throws IOException {
    return new Dashboard(new ObjectMapper().readTree(FILE.toFile()));
  }

  JsonNode root() {
    return root;
  }

  /** The panels that show data (not the rows that group them). */
  List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    root.get("panels")
        .forEach(
            p -> {
              if (!p.path("type").asText().equals("row")) {
                panels.add(p);
              }
            });
    return panels;
  }

  /**
   * Every series name the panels' queries ask for, as written ({@code …_bucket}, {@code …_total}).
   */
  Set<String> metrics() {
    Set<String> names = new TreeSet<>();
    for (JsonNode panel : panels()) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = METRIC.matcher(target.path("expr").asText());
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }
}
