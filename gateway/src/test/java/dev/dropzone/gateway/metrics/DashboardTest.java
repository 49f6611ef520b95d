package dev.dropzone.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard loads as Grafana expects it (one Prometheus data source variable, queries
 * on every panel) and the README's "What to monitor" names every metric it shows. That the gateway
 * really exports them is checked against live scrapes in {@link GatewayMetricsTest}.
 */
class DashboardTest {

  @Test
  void everyPanelQueriesPrometheusThroughTheDataSourceVariable() throws Exception {
    Dashboard dashboard = Dashboard.read();

    assertThat(dashboard.root().path("uid").asText()).isEqualTo("dropzone");
    assertThat(dashboard.root().path("templating").path("list").get(0).path("type").asText())
        .isEqualTo("datasource");
    assertThat(dashboard.panels()).hasSizeGreaterThan(15);
    for (JsonNode panel : dashboard.panels()) {
      assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
      assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
      assertThat(panel.path("description").asText()).as("what the panel means").isNotBlank();
    }
  }

  @Test
  void theReadmeNamesEveryMetricTheDashboardShows() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String monitor = readme.substring(readme.indexOf("### What to monitor"));
    monitor = monitor.substring(0, monitor.indexOf("\n## "));

    assertThat(monitor).contains("docs/grafana/dropzone.json");
    for (String metric : Dashboard.read().metrics()) {
      String base = metric.replaceAll("_(bucket|count|sum)$", "");
      assertThat(monitor).as("README 'What to monitor' names " + base).contains(base);
    }
  }
}
