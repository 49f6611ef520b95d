package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.StreamingAead;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.kek.format.ObjectIdentity;
import dev.dropzone.kek.format.ObjectMetadata;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Files that fit in the first segment are encrypted and decrypted without Tink's streams, and the
 * body is byte for byte the format Tink's streams write and read: each side reads the other's.
 */
class SingleSegmentTest {

  private static final int S = ObjectFormat.SEGMENT;

  private static TransferTestBed bed;
  private static UserKey userKey;

  @BeforeAll
  static void start() throws Exception {
    bed = TransferTestBed.inMemory();
    userKey = bed.session.forWriting();
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  static LongStream sizes() {
    return LongStream.of(0, 1, 65_536, S - 57, S - 56, S - 55, 5L * S / 2);
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void roundTripsAndTinksOwnStreamReadsTheBody(long size) throws Exception {
    PlaintextPattern pattern = new PlaintextPattern(size + 5);
    String key = bed.key("single-" + size);

    bed.write(key, pattern, size);

    assertThat(bed.readSha256(key, 0)).isEqualTo(pattern.sha256(0, size));
    byte[] body = bed.raw(key);
    assertThat(body).hasSize((int) ObjectFormat.ciphertextSize(size));
    assertThat(tinkDecrypt(body)).isEqualTo(pattern.slice(0, (int) size));
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void readsWhatTinksOwnStreamWrote(long size) throws Exception {
    PlaintextPattern pattern = new PlaintextPattern(size + 7);
    byte[] plaintext = pattern.slice(0, (int) size);
    String key = bed.key("tink-written-" + size);
    putV2(key, tinkEncrypt(plaintext));

    assertThat(bed.readSha256(key, 0)).isEqualTo(pattern.sha256(0, size));
    if (size > 0) {
      // The ranged path reads the same body.
      assertThat(bed.readSha256(key, size - 1)).isEqualTo(pattern.sha256(size - 1, 1));
    }
  }

  static Stream<Arguments> writeSizes() {
    return Stream.of(1, 7, 12_345, 65_536, S).map(Arguments::of);
  }

  /**
   * However the plaintext arrives (byte by byte, in odd pieces, at once), the body has the size and
   * content Tink's stream would write, across the one-segment boundary too.
   */
  @ParameterizedTest
  @MethodSource("writeSizes")
  void theBodyIsTinksWhateverTheWriteSizes(int writeSize) throws Exception {
    for (int size : new int[] {0, 1, 16_385, S - 57, S - 56, S - 55, S + 100_000}) {
      if (writeSize == 1 && size > 70_000) {
        continue;
      }
      byte[] plaintext = new PlaintextPattern(size).slice(0, size);
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      try (OutputStream out = SegmentBufferedEncryption.of(aead(), sink)) {
        for (int off = 0; off < size; off += writeSize) {
          int n = Math.min(writeSize, size - off);
          if (n == 1) {
            out.write(plaintext[off]);
          } else {
            out.write(plaintext, off, n);
          }
        }
      }
      byte[] body = sink.toByteArray();
      assertThat(body).as("size %d in writes of %d", size, writeSize).hasSize(ciphertextSize(size));
      assertThat(tinkDecrypt(body))
          .as("size %d in writes of %d", size, writeSize)
          .isEqualTo(plaintext);
    }
  }

  @Test
  void theEncryptionIsSealedOnceAndRefusesLaterWrites() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    OutputStream out = SegmentBufferedEncryption.of(aead(), sink);
    out.write(new byte[] {1, 2, 3});
    out.close();
    out.close();

    assertThat(tinkDecrypt(sink.toByteArray())).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> out.write(4)).isInstanceOf(IOException.class);
  }

  static Stream<Arguments> tampers() {
    return Stream.of(
        // In an empty file's body the middle falls in the tag.
        Arguments.of(
            "flip a byte in the middle",
            tamper(b -> flip(b, ObjectFormat.HEADER + (b.length - ObjectFormat.HEADER) / 2))),
        Arguments.of("flip a tag byte", tamper(b -> flip(b, b.length - 1))),
        Arguments.of("truncate by one byte", tamper(b -> Arrays.copyOf(b, b.length - 1))),
        Arguments.of("truncate by a tag", tamper(b -> Arrays.copyOf(b, b.length - 16))),
        Arguments.of("append one byte", tamper(b -> Arrays.copyOf(b, b.length + 1))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tampers")
  void aDamagedSingleSegmentIsAnIntegrityFailureBeforeAnyByte(
      String what, UnaryOperator<byte[]> tamper) throws Exception {
    for (long size : new long[] {0, 65_536, S - 56}) {
      String key = bed.key("tampered-single-" + size);
      bed.write(key, new PlaintextPattern(size), size);
      Map<String, String> metadata = bed.head(key).metadata();
      byte[] damaged = tamper.apply(bed.raw(key));
      bed.s3.putObject(
          b -> b.bucket(bed.settings.bucket()).key(key).metadata(metadata),
          RequestBody.fromBytes(damaged));

      assertThatThrownBy(() -> bed.openRead(key, 0))
          .as("%s of %d bytes", what, size)
          .isInstanceOfSatisfying(
              StoreException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.INTEGRITY);
                assertThat(e.getMessage())
                    .startsWith("integrity check failed")
                    .doesNotContain("\n");
              });
    }
  }

  /**
   * The whole body is read to its end before the plaintext is returned, so the connection goes back
   * to the pool at once: streams left open while more are read cannot exhaust it.
   */
  @Test
  void aSingleSegmentReadLeavesNoConnectionBusy() throws Exception {
    String key = bed.key("small-and-often");
    bed.write(key, new PlaintextPattern(11), 65_536);

    List<InputStream> open = new ArrayList<>();
    for (int i = 0; i < 3 * bed.settings.maxConnections(); i++) {
      InputStream in = bed.openRead(key, 0);
      assertThat(in.readNBytes(10)).hasSize(10);
      open.add(in);
    }
    for (InputStream in : open) {
      in.close();
    }
  }

  private static StreamingAead aead() {
    return userKey.key().streamingAead();
  }

  private static int ciphertextSize(int size) {
    return (int) ObjectFormat.ciphertextSize(size);
  }

  private static byte[] tinkEncrypt(byte[] plaintext) throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = aead().newEncryptingStream(sink, ObjectFormat.AAD)) {
      out.write(plaintext);
    }
    return sink.toByteArray();
  }

  private static byte[] tinkDecrypt(byte[] body) throws Exception {
    try (InputStream in =
        aead().newDecryptingStream(new ByteArrayInputStream(body), ObjectFormat.AAD)) {
      return in.readAllBytes();
    }
  }

  /** Stores {@code body} with the v2 metadata an upload of it would have had. */
  private static void putV2(String key, byte[] body) {
    ObjectIdentity identity =
        new ObjectIdentity(
            userKey.owner().domain(),
            bed.path(key),
            Arrays.copyOf(body, ObjectFormat.HEADER),
            userKey.epoch(),
            1_700_000_000_000L);
    Map<String, String> metadata =
        ObjectMetadata.V2
            .of(userKey.wrapped(), userKey.owner().user(), userKey.key(), identity, null)
            .toMap();
    bed.s3.putObject(
        b -> b.bucket(bed.settings.bucket()).key(key).metadata(metadata),
        RequestBody.fromBytes(body));
  }

  private static UnaryOperator<byte[]> tamper(UnaryOperator<byte[]> change) {
    return change;
  }

  private static byte[] flip(byte[] b, int at) {
    b[at] ^= 0x01;
    return b;
  }
}
