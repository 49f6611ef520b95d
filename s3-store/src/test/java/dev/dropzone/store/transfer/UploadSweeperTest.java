package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.s3.S3Clients;
import dev.dropzone.store.testing.S3ProxyFixture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/** The sweeper against a real S3 server whose reported start times are rewritten at will. */
class UploadSweeperTest {

  private static final Duration AGE = Duration.ofHours(1);
  private static final String BUCKET = "sweep";

  private static S3ProxyFixture server;
  private static S3Client raw;
  private static S3Client s3;

  /**
   * How the server under test reports each upload's start, given the server's time of the listing;
   * the real start unless set.
   */
  private static volatile UnaryOperator<Instant> reportedStart;

  private final MovableClock clock = new MovableClock();

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyFixture.inMemory();
    raw = S3Clients.create(server.bucket(BUCKET, ""));
    s3 =
        S3Clients.builder(server.bucket(BUCKET, ""))
            .overrideConfiguration(c -> c.addExecutionInterceptor(new StartTimes()))
            .build();
  }

  @AfterAll
  static void stopServer() throws Exception {
    s3.close();
    raw.close();
    server.close();
  }

  @BeforeEach
  void empty() {
    reportedStart = null;
    for (MultipartUpload upload : pending()) {
      raw.abortMultipartUpload(b -> b.bucket(BUCKET).key(upload.key()).uploadId(upload.uploadId()));
    }
  }

  @Test
  void uploadsTheServerReportsAsOldAreAbortedUnderTheGivenPrefixesOnly() throws Exception {
    start("pre/users/alice/a");
    start("pre/users/bob/b");
    start("elsewhere/c");
    start("pre-other/d"); // shares the prefix's letters, not the prefix
    UploadSweeper sweeper = new UploadSweeper(s3, BUCKET, clock);

    assertThat(sweeper.sweep(List.of("pre/"), AGE)).isEqualTo(new UploadSweeper.Sweep(2, 0, 0));

    reportedStart = listedAt -> listedAt.minus(Duration.ofHours(2));
    assertThat(sweeper.sweep(List.of("pre/"), AGE)).isEqualTo(new UploadSweeper.Sweep(2, 2, 0));
    assertThat(pending())
        .extracting(MultipartUpload::key)
        .containsExactlyInAnyOrder("elsewhere/c", "pre-other/d");
  }

  @Test
  void onAServerThatReportsEveryUploadAsJustStartedAgeCountsFromTheFirstSweepThatSawIt()
      throws Exception {
    reportedStart = listedAt -> listedAt;
    start("pre/users/alice/stale");
    UploadSweeper sweeper = new UploadSweeper(s3, BUCKET, clock);

    assertThat(sweeper.sweep(List.of("pre/"), AGE).aborted()).isZero();
    clock.advance(Duration.ofMinutes(59));
    start("pre/users/alice/fresh");
    assertThat(sweeper.sweep(List.of("pre/"), AGE).aborted()).isZero();
    clock.advance(Duration.ofMinutes(2));

    assertThat(sweeper.sweep(List.of("pre/"), AGE)).isEqualTo(new UploadSweeper.Sweep(2, 1, 0));
    assertThat(pending()).extracting(MultipartUpload::key).containsExactly("pre/users/alice/fresh");
  }

  @Test
  void startTimesAreJudgedByTheServersClockNotTheGateways() throws Exception {
    // The gateway's clock runs two hours ahead; the server's own times say the upload is new.
    clock.advance(Duration.ofHours(2));
    start("pre/users/alice/new");

    assertThat(new UploadSweeper(s3, BUCKET, clock).sweep(List.of("pre/"), AGE).aborted()).isZero();
    assertThat(pending()).hasSize(1);
  }

  @Test
  void aListingFailureIsReportedAndAbortsNothing() {
    start("pre/users/alice/a");
    UploadSweeper sweeper = new UploadSweeper(raw, "no-such-bucket", clock);

    assertThatThrownBy(() -> sweeper.sweep(List.of("pre/"), AGE))
        .isInstanceOfSatisfying(
            StoreException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("list unfinished uploads under no-such-bucket/pre/"));
    assertThat(pending()).hasSize(1);
  }

  private static void start(String key) {
    raw.createMultipartUpload(b -> b.bucket(BUCKET).key(key));
  }

  private static List<MultipartUpload> pending() {
    return raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads();
  }

  /** Rewrites the start times in listings as {@link #reportedStart} says. */
  private static final class StartTimes implements ExecutionInterceptor {
    @Override
    public SdkResponse modifyResponse(
        Context.ModifyResponse context, ExecutionAttributes attributes) {
      UnaryOperator<Instant> rule = reportedStart;
      if (rule == null || !(context.response() instanceof ListMultipartUploadsResponse page)) {
        return context.response();
      }
      String date = context.httpResponse().firstMatchingHeader("Date").orElseThrow();
      Instant start =
          rule.apply(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      return page.toBuilder()
          .uploads(
              page.uploads().stream().map(u -> u.toBuilder().initiated(start).build()).toList())
          .build();
    }
  }

  /** A clock tests move forward. */
  private static final class MovableClock extends Clock {
    private volatile Instant now = Instant.now();

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
