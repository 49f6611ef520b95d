package dev.dropzone.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

class StoredVersionTest {

  @Test
  void theResponsesDateBoundsTheVersionAndRepeatsGiveTheSameAnswer() {
    for (int i = 0; i < 2; i++) {
      assertThat(StoredVersion.of("\"e1\"", withDate("Sat, 05 Dec 2026 06:23:17 GMT")))
          .contains(new StoredVersion("\"e1\"", Instant.parse("2026-12-05T06:23:17Z")));
    }
    assertThat(StoredVersion.of("\"e2\"", withDate("Sat, 05 Dec 2026 06:23:18 GMT")))
        .contains(new StoredVersion("\"e2\"", Instant.parse("2026-12-05T06:23:18Z")));
  }

  /** S3Proxy dates its answer when the request's headers arrive; the object is stored later. */
  @Test
  void aWriteThatTookTimeIsBoundedByItsDatePlusThatTimeRoundedUp() {
    PutObjectResponse response = withDate("Sat, 05 Dec 2026 06:23:17 GMT");
    assertThat(StoredVersion.of("\"e\"", response, Duration.ofMillis(27)))
        .contains(new StoredVersion("\"e\"", Instant.parse("2026-12-05T06:23:18Z")));
    assertThat(StoredVersion.of("\"e\"", response, Duration.ofMillis(1500)))
        .contains(new StoredVersion("\"e\"", Instant.parse("2026-12-05T06:23:19Z")));
    assertThat(StoredVersion.of("\"e\"", response, Duration.ZERO))
        .contains(new StoredVersion("\"e\"", Instant.parse("2026-12-05T06:23:17Z")));
  }

  @Test
  void withoutAnETagOrAReadableDateThereIsNoVersion() {
    assertThat(StoredVersion.of(null, withDate("Sat, 05 Dec 2026 06:23:17 GMT"))).isEmpty();
    assertThat(StoredVersion.of("\"e\"", withDate("yesterday"))).isEmpty();
    assertThat(
            StoredVersion.of(
                "\"e\"",
                (PutObjectResponse)
                    PutObjectResponse.builder()
                        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(200).build())
                        .build()))
        .isEmpty();
  }

  private static PutObjectResponse withDate(String date) {
    return (PutObjectResponse)
        PutObjectResponse.builder()
            .sdkHttpResponse(
                SdkHttpResponse.builder().statusCode(200).putHeader("Date", date).build())
            .build();
  }
}
