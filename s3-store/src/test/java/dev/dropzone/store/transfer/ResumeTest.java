package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import dev.dropzone.store.Upload;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writing at an offset keeps the existing prefix and replaces the object only on commit. */
class ResumeTest {

  private static final long SIZE = 12L << 20;
  private static final PlaintextPattern OLD = new PlaintextPattern(11);
  private static final PlaintextPattern NEW = new PlaintextPattern(12);
  private static TransferTestBed bed;

  @BeforeAll
  static void start() throws Exception {
    bed = TransferTestBed.inMemory();
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, ObjectFormat.FIRST_SEGMENT_PLAINTEXT, 7L << 20, SIZE})
  void resumingKeepsThePrefixAndAddsTheNewData(long offset) throws Exception {
    String key = bed.key("resume-" + offset);
    bed.write(key, OLD, SIZE);
    long added = 3_000_000;

    try (Upload upload = bed.openWrite(key, offset)) {
      assertThat(upload.bytesWritten()).isEqualTo(offset);
      TransferTestBed.copy(NEW.stream(0, added), upload.stream());
      upload.commit();
      assertThat(upload.bytesWritten()).isEqualTo(offset + added);
    }

    InputStream expected = new SequenceInputStream(OLD.stream(0, offset), NEW.stream(0, added));
    assertThat(bed.readSha256(key, 0)).isEqualTo(PlaintextPattern.sha256(expected));
    assertThat(bed.pendingUploads()).isEmpty();
  }

  @Test
  void anAbortedResumeLeavesTheOldObjectUntouched() throws Exception {
    String key = bed.key("resume-aborted");
    bed.write(key, OLD, SIZE);
    String eTag = bed.head(key).eTag();

    Upload upload = bed.openWrite(key, 6 << 20);
    TransferTestBed.copy(NEW.stream(0, 1 << 20), upload.stream());
    upload.abort();

    assertThat(bed.head(key).eTag()).isEqualTo(eTag);
    assertThat(bed.readSha256(key, 0)).isEqualTo(OLD.sha256(0, SIZE));
    assertThat(bed.pendingUploads()).isEmpty();
  }

  @Test
  void theResumedObjectIsEncryptedWithTheUsersCurrentKey() throws Exception {
    String key = bed.key("resume-rotated");
    bed.write(key, OLD, 2 << 20);
    String oldKey = bed.head(key).metadata().get(ObjectFormat.META_KEY);
    bed.keys.rotate(TransferTestBed.USER);

    try (Upload upload = bed.openWrite(key, 1 << 20)) {
      upload.commit();
    }

    assertThat(bed.head(key).metadata().get(ObjectFormat.META_KEY)).isNotEqualTo(oldKey);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (InputStream in = bed.openRead(key, 0)) {
      in.transferTo(got);
    }
    assertThat(got.toByteArray()).isEqualTo(OLD.slice(0, 1 << 20));
  }

  @Test
  void resumingBeyondTheEndIsOutOfRange() throws IOException {
    String key = bed.key("resume-short");
    bed.write(key, OLD, 100);

    assertThatThrownBy(() -> bed.openWrite(key, 101))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.OUT_OF_RANGE));
    assertThat(bed.pendingUploads()).isEmpty();
  }

  @Test
  void resumingAMissingFileIsNotFound() {
    assertThatThrownBy(() -> bed.openWrite(bed.key("nothing"), 5))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
  }
}
