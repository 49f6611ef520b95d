package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.format.ObjectFormat;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.StoreException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;

/** Damaged objects are refused with INTEGRITY; no byte that was not authenticated gets out. */
class TamperTest {

  private static final int S = ObjectFormat.SEGMENT;

  /** Four segments; the last one about half full. */
  private static final long SIZE = 3L * S + S / 2;

  private static final PlaintextPattern PATTERN = new PlaintextPattern(99);
  private static TransferTestBed bed;
  private static byte[] original;
  private static Map<String, String> originalMetadata;

  /**
   * The object is written where the tampered copies go, so its identity tag fits their path: what
   * refuses each of them is the body's own authentication (or the header check), not the tag.
   */
  @BeforeAll
  static void start() throws Exception {
    bed = TransferTestBed.inMemory();
    String key = bed.key("tampered");
    bed.write(key, PATTERN, SIZE);
    original = bed.raw(key);
    originalMetadata = bed.head(key).metadata();
    assertThat(ObjectFormat.segments(SIZE)).isEqualTo(4);
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  static Stream<Arguments> tampers() {
    return Stream.of(
        Arguments.of("flip a byte in the middle segment", body(b -> flip(b, 2L * S + 1000)), false),
        Arguments.of(
            "truncate inside the last segment", body(b -> Arrays.copyOf(b, b.length - 100)), true),
        Arguments.of("truncate at a segment boundary", body(b -> Arrays.copyOf(b, 3 * S)), true),
        Arguments.of(
            "truncate to an impossible size", body(b -> Arrays.copyOf(b, 3 * S + 7)), true),
        Arguments.of("swap two segments", body(b -> swap(b, 1, 2)), false),
        Arguments.of("append a segment's worth of bytes", body(TamperTest::appendSegment), true),
        Arguments.of("replace dz-key with another key of the domain", otherUsersKey(), true));
  }

  /**
   * @param upFront refused before the first byte: a damaged header, end or key is found before any
   *     plaintext is released; damage in the middle only when its segment is reached
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("tampers")
  void tamperingIsAnIntegrityErrorNeverWrongBytes(String what, Tamper tamper, boolean upFront)
      throws Exception {
    String key = bed.key("tampered");
    tamper.store(key);

    for (long offset : new long[] {0, ObjectFormat.FIRST_SEGMENT_PLAINTEXT + 10}) {
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      StoreException failure = readUntilFailure(key, offset, got);

      assertThat(failure).as(what + " from " + offset).isNotNull();
      assertThat(failure.reason()).isEqualTo(Reason.INTEGRITY);
      // The message becomes an FTP reply: one line.
      assertThat(failure.getMessage()).startsWith("integrity check failed").doesNotContain("\n");
      assertThat(got.toByteArray()).isEqualTo(PATTERN.slice(offset, got.size()));
      if (upFront) {
        assertThat(got.size()).as(what + " from " + offset + ": bytes released").isZero();
      }
    }
  }

  /**
   * A full read compares the body's header with {@code dz-hdr} and refuses the object. A ranged
   * read never reads the body's header: it decrypts with the header {@code dz-hdr} names
   * (authenticated by the identity tag), so segments not sealed under it would fail, and these are
   * authentic.
   */
  @Test
  void aDamagedHeaderIsRefusedByAFullReadAndNeverUsedByARangedOne() throws Exception {
    String key = bed.key("tampered");
    body(b -> flip(b, 5)).store(key);

    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    StoreException failure = readUntilFailure(key, 0, whole);
    assertThat(failure).isNotNull();
    assertThat(failure.reason()).isEqualTo(Reason.INTEGRITY);
    assertThat(failure.getMessage()).contains("does not start with the header");
    assertThat(whole.size()).isZero();

    long offset = ObjectFormat.FIRST_SEGMENT_PLAINTEXT + 10;
    ByteArrayOutputStream ranged = new ByteArrayOutputStream();
    assertThat(readUntilFailure(key, offset, ranged)).isNull();
    assertThat(ranged.toByteArray()).isEqualTo(PATTERN.slice(offset, (int) (SIZE - offset)));
  }

  private static StoreException readUntilFailure(String key, long offset, ByteArrayOutputStream got)
      throws IOException {
    try (InputStream in = bed.openRead(key, offset)) {
      byte[] buffer = new byte[100_000];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        got.write(buffer, 0, n);
      }
      return null;
    } catch (StoreException e) {
      return e;
    }
  }

  /** Stores a damaged copy of the original object under a key, with the metadata it chooses. */
  interface Tamper {
    void store(String key);
  }

  private static Tamper body(UnaryOperator<byte[]> change) {
    return key -> put(key, change.apply(original.clone()), originalMetadata());
  }

  private static Tamper otherUsersKey() {
    return key -> {
      Map<String, String> metadata = new HashMap<>(originalMetadata());
      metadata.put(
          ObjectFormat.META_KEY,
          bed.keys.forWriting(new KeyOwner("mallory", "users/alice")).join().wrapped().text());
      put(key, original, metadata);
    };
  }

  private static Map<String, String> originalMetadata() {
    return originalMetadata;
  }

  private static void put(String key, byte[] body, Map<String, String> metadata) {
    bed.s3.putObject(
        b -> b.bucket(bed.settings.bucket()).key(key).metadata(metadata),
        RequestBody.fromBytes(body));
  }

  private static byte[] flip(byte[] b, long at) {
    b[(int) at] ^= 0x01;
    return b;
  }

  private static byte[] swap(byte[] b, int first, int second) {
    byte[] keep = Arrays.copyOfRange(b, first * S, (first + 1) * S);
    System.arraycopy(b, second * S, b, first * S, S);
    System.arraycopy(keep, 0, b, second * S, S);
    return b;
  }

  private static byte[] appendSegment(byte[] b) {
    byte[] longer = Arrays.copyOf(b, b.length + S);
    System.arraycopy(b, S, longer, b.length, S);
    return longer;
  }
}
