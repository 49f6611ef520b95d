package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

class UploadSweeperTest {

  private static final Duration AGE = Duration.ofHours(1);

  @Test
  void abortsOnlyOldUploadsUnderThePrefix() throws Exception {
    try (TransferTestBed bed = TransferTestBed.inMemory("pre")) {
      start(bed, "pre/users/alice/a");
      start(bed, "pre/users/bob/b");
      start(bed, "elsewhere/c");

      assertThat(new UploadSweeper(bed.s3, bed.settings).abortOlderThan(AGE)).isZero();
      assertThat(bed.pendingUploads()).hasSize(3);

      assertThat(sweeperInTwoHours(bed).abortOlderThan(AGE)).isEqualTo(2);
      assertThat(bed.pendingUploads())
          .extracting(MultipartUpload::key)
          .containsExactly("elsewhere/c");
    }
  }

  @Test
  void withoutAPrefixSweepsTheWholeBucket() throws Exception {
    try (TransferTestBed bed = TransferTestBed.inMemory("")) {
      start(bed, "users/alice/a");
      start(bed, "x");

      assertThat(sweeperInTwoHours(bed).abortOlderThan(AGE)).isEqualTo(2);
      assertThat(bed.pendingUploads()).isEmpty();
    }
  }

  private static UploadSweeper sweeperInTwoHours(TransferTestBed bed) {
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);
    return new UploadSweeper(bed.s3, bed.settings, later);
  }

  private static void start(TransferTestBed bed, String key) {
    bed.s3.createMultipartUpload(b -> b.bucket(bed.settings.bucket()).key(key));
  }
}
