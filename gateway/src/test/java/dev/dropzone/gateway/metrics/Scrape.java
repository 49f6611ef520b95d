package dev.dropzone.gateway.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** One scrape of {@code /metrics} over HTTP, as Prometheus takes it: series → value. */
final class Scrape {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Map<String, Double> series;

  private Scrape(Map<String, Double> series) {
    this.series = series;
  }

  static Scrape of(int adminPort) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("/metrics answered " + response.statusCode());
    }
    return parse(response.body());
  }

  static Scrape parse(String text) {
    Map<String, Double> series = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      series.put(
          normalized(line.substring(0, space)), Double.parseDouble(line.substring(space + 1)));
    }
    return new Scrape(series);
  }

  /**
   * The value of {@code name} with exactly {@code labels} (name, value, … in alphabetical order of
   * the names), 0 when the series does not exist yet.
   */
  double value(String name, String... labels) {
    return series.getOrDefault(key(name, labels), 0.0);
  }

  /** {@code name{b="2",a="1"}} → {@code name{a="1",b="2"}}: label order is not part of a series. */
  private static String normalized(String series) {
    int brace = series.indexOf('{');
    if (brace < 0) {
      return series;
    }
    String[] labels = series.substring(brace + 1, series.length() - 1).split(",(?=[a-z_]+=\")");
    Arrays.sort(labels);
    return series.substring(0, brace) + "{" + String.join(",", labels) + "}";
  }

  private static String key(String name, String... labels) {
    StringBuilder key = new StringBuilder(name);
    if (labels.length > 0) {
      key.append('{');
      for (int i = 0; i < labels.length; i += 2) {
        key.append(i == 0 ? "" : ",")
            .append(labels[i])
            .append("=\"")
            .append(labels[i + 1])
            .append('"');
      }
      key.append('}');
    }
    return key.toString();
  }

  /** Every series, for failure messages. */
  Map<String, Double> series() {
    return series;
  }
}
