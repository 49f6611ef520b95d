package dev.dropzone.kek.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.StreamingAead;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.kek.testing.FakeTicker;
import dev.dropzone.kek.testing.InMemoryKeyRecordStore;
import dev.dropzone.kek.testing.InstrumentedKeyService;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserKeysTest {

  private static final byte[] AAD = "dropzone/v1".getBytes(StandardCharsets.US_ASCII);
  private static final Duration TTL = Duration.ofMinutes(10);

  @TempDir Path directory;

  private InstrumentedKeyService keyService;
  private InMemoryKeyRecordStore records;
  private FakeTicker ticker;
  private ExecutorService blocking;

  @BeforeEach
  void setUp() throws Exception {
    keyService = new InstrumentedKeyService(LocalKeyService.open(directory.resolve("master.json")));
    records = new InMemoryKeyRecordStore();
    ticker = new FakeTicker();
    blocking = Executors.newFixedThreadPool(4);
  }

  @AfterEach
  void tearDown() {
    blocking.shutdownNow();
  }

  @Test
  void firstUseCreatesAndRecordsAKeyWithoutUnwrappingIt() throws Exception {
    Instant before = Instant.now();

    UserKey key = newUserKeys().forWriting("alice").get(30, TimeUnit.SECONDS);

    KeyRecord record = records.stored("alice").orElseThrow();
    assertThat(record.key()).isEqualTo(key.wrapped());
    assertThat(record.created()).isAfterOrEqualTo(before);
    assertThat(key.wrapped().ref()).isEqualTo(keyService.masterKeyId());
    assertThat(keyService.wrapCount()).isEqualTo(1);
    assertThat(keyService.unwrapCount()).isZero();
  }

  @Test
  void laterUseReadsTheSameRecordAndDecryptsWhatFirstUseEncrypted() throws Exception {
    UserKey first = newUserKeys().forWriting("alice").get(30, TimeUnit.SECONDS);
    byte[] ciphertext = encrypt(first.key().streamingAead(), "hello alice");

    UserKey again = newUserKeys().forWriting("alice").get(30, TimeUnit.SECONDS);

    assertThat(again.wrapped()).isEqualTo(first.wrapped());
    assertThat(records.size()).isEqualTo(1);
    assertThat(keyService.wrapCount()).isEqualTo(1);
    assertThat(keyService.unwrapCount()).isEqualTo(1);
    assertThat(decrypt(again.key().streamingAead(), ciphertext)).isEqualTo("hello alice");
  }

  @Test
  void theResolvedKeyIsRememberedUntilItsTimeToLiveEnds() throws Exception {
    UserKeys userKeys = newUserKeys();
    UserKey first = userKeys.forWriting("alice").get(30, TimeUnit.SECONDS);

    ticker.advance(TTL.minusSeconds(1));
    UserKey remembered = userKeys.forWriting("alice").get(30, TimeUnit.SECONDS);
    assertThat(remembered).isSameAs(first);
    assertThat(records.readCount()).isEqualTo(1);

    ticker.advance(Duration.ofSeconds(2));
    UserKey reread = userKeys.forWriting("alice").get(30, TimeUnit.SECONDS);
    assertThat(reread.wrapped()).isEqualTo(first.wrapped());
    assertThat(records.readCount()).isEqualTo(2);
  }

  @Test
  void concurrentFirstUseOnTwoGatewaysEndsWithOneRecordAndOneKey() throws Exception {
    UserKeys gatewayA = newUserKeys();
    UserKeys gatewayB = newUserKeys();
    records.holdReadsUntil(2);

    CompletableFuture<UserKey> a = gatewayA.forWriting("alice");
    CompletableFuture<UserKey> b = gatewayB.forWriting("alice");
    UserKey keyA = a.get(30, TimeUnit.SECONDS);
    UserKey keyB = b.get(30, TimeUnit.SECONDS);

    assertThat(records.size()).isEqualTo(1);
    assertThat(records.createCount()).as("both saw no record and tried to create one").isEqualTo(2);
    WrappedKey recorded = records.stored("alice").orElseThrow().key();
    assertThat(keyA.wrapped()).isEqualTo(recorded);
    assertThat(keyB.wrapped()).isEqualTo(recorded);
    assertThat(decrypt(keyB.key().streamingAead(), encrypt(keyA.key().streamingAead(), "same key")))
        .isEqualTo("same key");
    assertThat(
            decrypt(keyA.key().streamingAead(), encrypt(keyB.key().streamingAead(), "both ways")))
        .isEqualTo("both ways");
  }

  @Test
  void forReadingDecryptsWhatTheWritingKeyEncrypted() throws Exception {
    UserKey writing = newUserKeys().forWriting("alice").get(30, TimeUnit.SECONDS);
    byte[] ciphertext = encrypt(writing.key().streamingAead(), "stored object body");

    StreamingAead reading =
        newUserKeys()
            .forReading(writing.wrapped(), KeyBinding.user("alice"))
            .get(30, TimeUnit.SECONDS)
            .streamingAead();

    assertThat(decrypt(reading, ciphertext)).isEqualTo("stored object body");
    assertThat(keyService.unwrapCount()).isEqualTo(1);
  }

  @Test
  void anUnreachableRecordStoreIsUnavailableAndNotRemembered() throws Exception {
    UserKeys userKeys = newUserKeys();
    records.failWith(new IOException("connection refused"));

    assertThatThrownBy(() -> userKeys.forWriting("alice").get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE))
        .hasMessage("key record store unavailable: connection refused");

    records.heal();
    UserKey key = userKeys.forWriting("alice").get(30, TimeUnit.SECONDS);
    assertThat(records.stored("alice").orElseThrow().key()).isEqualTo(key.wrapped());
  }

  @Test
  void aRecordThatNamesAnotherUserIsInvalid() throws Exception {
    WrappedKey bobs = keyService.wrap(StreamingKeys.newDataKey(), KeyBinding.user("bob")).get();
    records.storeUnder("alice", new KeyRecord("bob", bobs, Instant.now()));

    assertThatThrownBy(() -> newUserKeys().forWriting("alice").get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.INVALID))
        .hasMessageContaining("alice")
        .hasMessageContaining("bob");
  }

  @Test
  void invalidateMakesTheNextUseReadARotatedRecord() throws Exception {
    UserKeys userKeys = newUserKeys();
    UserKey old = userKeys.forWriting("alice").get(30, TimeUnit.SECONDS);
    WrappedKey rotated =
        keyService.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    records.replace(new KeyRecord("alice", rotated, Instant.now()));

    assertThat(userKeys.forWriting("alice").get(30, TimeUnit.SECONDS)).isSameAs(old);
    userKeys.invalidate("alice");

    assertThat(userKeys.forWriting("alice").get(30, TimeUnit.SECONDS).wrapped()).isEqualTo(rotated);
  }

  private UserKeys newUserKeys() {
    return UserKeys.builder(keyService, newCache(), records, blocking)
        .timeToLive(TTL)
        .ticker(ticker)
        .build();
  }

  private DataKeyCache newCache() {
    return DataKeyCache.builder(keyService).ticker(ticker).build();
  }

  private static byte[] encrypt(StreamingAead aead, String text) throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = aead.newEncryptingStream(sink, AAD)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return sink.toByteArray();
  }

  private static String decrypt(StreamingAead aead, byte[] ciphertext) throws Exception {
    try (InputStream in = aead.newDecryptingStream(new ByteArrayInputStream(ciphertext), AAD)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
