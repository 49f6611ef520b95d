package dev.dropzone.store.transfer;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** Damaged objects are refused with INTEGRITY; no byte that was not authenticated gets out. */
class TamperTest {

  private static final int S = ObjectFormat.SEGMENT;

  /** Four segments; the last one about half full. */
  private static final long SIZE = 3L * S + S / 2;

  private static final PlaintextPattern PATTERN = new PlaintextPattern(99);
  private static TransferTestBed bed;
  private static byte[] original;

  @BeforeAll
  static void start() throws Exception {
    bed = TransferTestBed.inMemory();
    String key = bed.key("original");
    bed.write(key, PATTERN, SIZE);
    original = bed.raw(key);
    assertThat(ObjectFormat.segments(SIZE)).isEqualTo(4);
  }

  @AfterAll
  static void stop() throws Exception {
    bed.close();
  }

  static Stream<Arguments> tampers() {
    return Stream.of(
        Arguments.of("flip a byte in the middle segment", body(b -> flip(b, 2L * S + 1000))),
        Arguments.of("flip a byte in the header", body(b -> flip(b, 5))),
        Arguments.of(
            "truncate inside the last segment", body(b -> Arrays.copyOf(b, b.length - 100))),
        Arguments.of("truncate at a segment boundary", body(b -> Arrays.copyOf(b, 3 * S))),
        Arguments.of("truncate to an impossible size", body(b -> Arrays.copyOf(b, 3 * S + 7))),
        Arguments.of("swap two segments", body(b -> swap(b, 1, 2))),
        Arguments.of("append a segment's worth of bytes", body(TamperTest::appendSegment)),
        Arguments.of("replace dz-key with another user's key", otherUsersKey()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tampers")
  void tamperingIsAnIntegrityErrorNeverWrongBytes(String what, Tamper tamper) throws Exception {
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
    }
  }

  private static StoreException readUntilFailure(String key, long offset, ByteArrayOutputStream got)
      throws IOException {
    try (InputStream in = bed.transfers.openRead(key, bed.keys, offset)) {
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
      metadata.put(ObjectFormat.META_KEY, bed.keys.forWriting("mallory").join().wrapped().text());
      put(key, original, metadata);
    };
  }

  private static Map<String, String> originalMetadata() {
    HeadObjectResponse head = bed.head(bed.key("original"));
    return head.metadata();
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
