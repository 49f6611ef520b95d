package dev.dropzone.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayMetersTest {

  @Test
  void scrapeHasJvmAndProcessMetersInPrometheusForm() {
    try (GatewayMeters meters = new GatewayMeters()) {
      meters.registry().counter("dropzone_test_events").increment(3);

      String text = meters.scrape();

      assertThat(text)
          .contains("# TYPE jvm_memory_used_bytes gauge")
          .contains("process_uptime_seconds")
          .contains("process_cpu_usage")
          .contains("jvm_threads_live_threads")
          .contains("dropzone_test_events_total 3.0");
    }
  }
}
