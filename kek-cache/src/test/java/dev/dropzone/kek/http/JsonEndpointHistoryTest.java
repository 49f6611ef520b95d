package dev.dropzone.kek.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonEndpointHistoryTest {

  @Test
  void oneAttemptIsNamedAlone() {
    assertThat(JsonEndpoint.history(List.of("HTTP 503"))).isEqualTo("attempt 1: HTTP 503");
  }

  @Test
  void equalFailuresInARowAreGivenOnceWithTheirRange() {
    assertThat(JsonEndpoint.history(List.of("HTTP 503", "HTTP 503", "HTTP 503")))
        .isEqualTo("attempts 1-3: HTTP 503");
  }

  /** What a slow service under load looked like: two timeouts, then a connection it closed. */
  @Test
  void aLastFailureUnlikeTheEarlierOnesDoesNotHideThem() {
    assertThat(
            JsonEndpoint.history(
                List.of("timed out (150 ms)", "timed out (150 ms)", "Connection was closed")))
        .isEqualTo("attempts 1-2: timed out (150 ms); attempt 3: Connection was closed");
  }

  @Test
  void theSameFailureAfterADifferentOneStartsANewRange() {
    assertThat(JsonEndpoint.history(List.of("A", "B", "A", "A")))
        .isEqualTo("attempt 1: A; attempt 2: B; attempts 3-4: A");
  }
}
