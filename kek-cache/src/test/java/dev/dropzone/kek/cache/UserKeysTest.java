package dev.dropzone.kek.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.StreamingAead;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyOwner;
import dev.dropzone.kek.KeyRecord;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.format.DataKey;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
  private static final KeyOwner ALICE = new KeyOwner("alice", "users/alice");
  private static final KeyOwner BOB = new KeyOwner("bob", "users/bob");

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
  void firstUseCreatesAndRecordsASignedVersion2KeyUnwrappingItOnceToProveIt() throws Exception {
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    UserKey key = newUserKeys().forWriting(ALICE).get(30, TimeUnit.SECONDS);

    KeyRecord record = records.stored("alice").orElseThrow();
    assertThat(record.isV2()).isTrue();
    assertThat(record.domain()).isEqualTo("users/alice");
    assertThat(record.epoch()).isEqualTo(1);
    assertThat(key.epoch()).isEqualTo(1);
    assertThat(key.owner()).isEqualTo(ALICE);
    assertThat(record.key()).isEqualTo(key.wrapped());
    assertThat(record.created()).isAfterOrEqualTo(before);
    assertThat(key.key().hasRecord(record.fields(), record.macBytes())).isTrue();
    assertThat(key.wrapped().ref()).isEqualTo(keyService.masterKeyId());
    assertThat(keyService.wrapCount()).isEqualTo(1);
    assertThat(keyService.unwrapCount())
        .as("the new wrapping, unwrapped once to check it gives the key back")
        .isEqualTo(1);
  }

  @Test
  void aNewKeyWhoseWrappingUnwrapsToAnotherKeyIsNeitherUsedNorRecorded() throws Exception {
    // A service whose unwrapping does not belong to its wrapping: every file written under the
    // new key would be unreadable once the key left memory.
    KeyService mismatched =
        new KeyService() {
          @Override
          public String masterKeyId() {
            return keyService.masterKeyId();
          }

          @Override
          public CompletableFuture<WrappedKey> wrap(byte[] dataKey, KeyBinding binding) {
            return keyService.wrap(dataKey, binding);
          }

          @Override
          public CompletableFuture<byte[]> unwrap(WrappedKey wrapped, KeyBinding binding) {
            return CompletableFuture.completedFuture(StreamingKeys.newDataKey());
          }
        };
    UserKeys keys =
        UserKeys.builder(mismatched, DataKeyCache.builder(mismatched).build(), records, blocking)
            .build();

    assertThatThrownBy(() -> keys.forWriting(ALICE).get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(KeyServiceException.class)
        .hasMessageContaining("unwraps to another key; nothing was written with it");
    assertThat(records.stored("alice")).isEmpty();
  }

  @Test
  void laterUseReadsTheSameRecordAndDecryptsWhatFirstUseEncrypted() throws Exception {
    UserKey first = newUserKeys().forWriting(ALICE).get(30, TimeUnit.SECONDS);
    byte[] ciphertext = encrypt(first.key().streamingAead(), "hello alice");

    UserKey again = newUserKeys().forWriting(ALICE).get(30, TimeUnit.SECONDS);

    assertThat(again.wrapped()).isEqualTo(first.wrapped());
    assertThat(again.epoch()).isEqualTo(1);
    assertThat(records.size()).isEqualTo(1);
    assertThat(keyService.wrapCount()).isEqualTo(1);
    assertThat(keyService.unwrapCount())
        .as("the check of the new key, then the record read by the second instance")
        .isEqualTo(2);
    assertThat(decrypt(again.key().streamingAead(), ciphertext)).isEqualTo("hello alice");
  }

  @Test
  void usersSharingAHomeEachHaveTheirOwnRecordForTheSameDomain() throws Exception {
    UserKeys keys = newUserKeys();
    UserKey carol = keys.forWriting(new KeyOwner("carol", "shared/team")).get(30, TimeUnit.SECONDS);
    UserKey dave = keys.forWriting(new KeyOwner("dave", "shared/team")).get(30, TimeUnit.SECONDS);

    assertThat(records.stored("carol").orElseThrow().domain()).isEqualTo("shared/team");
    assertThat(records.stored("dave").orElseThrow().domain()).isEqualTo("shared/team");
    DataKey davesKeyAsCarolReadsIt =
        newUserKeys().forReading(dave.wrapped(), carol.owner().binding()).get(30, TimeUnit.SECONDS);
    assertThat(
            decrypt(
                davesKeyAsCarolReadsIt.streamingAead(),
                encrypt(dave.key().streamingAead(), "team")))
        .isEqualTo("team");
  }

  @Test
  void theResolvedKeyIsRememberedUntilItsTimeToLiveEnds() throws Exception {
    UserKeys userKeys = newUserKeys();
    UserKey first = userKeys.forWriting(ALICE).get(30, TimeUnit.SECONDS);

    ticker.advance(TTL.minusSeconds(1));
    UserKey remembered = userKeys.forWriting(ALICE).get(30, TimeUnit.SECONDS);
    assertThat(remembered).isSameAs(first);
    assertThat(records.readCount()).isEqualTo(1);

    ticker.advance(Duration.ofSeconds(2));
    UserKey reread = userKeys.forWriting(ALICE).get(30, TimeUnit.SECONDS);
    assertThat(reread.wrapped()).isEqualTo(first.wrapped());
    assertThat(records.readCount()).isEqualTo(2);
  }

  @Test
  void concurrentFirstUseOnTwoGatewaysEndsWithOneRecordAndOneKey() throws Exception {
    UserKeys gatewayA = newUserKeys();
    UserKeys gatewayB = newUserKeys();
    records.holdReadsUntil(2);

    CompletableFuture<UserKey> a = gatewayA.forWriting(ALICE);
    CompletableFuture<UserKey> b = gatewayB.forWriting(ALICE);
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
    UserKey writing = newUserKeys().forWriting(ALICE).get(30, TimeUnit.SECONDS);
    byte[] ciphertext = encrypt(writing.key().streamingAead(), "stored object body");

    StreamingAead reading =
        newUserKeys()
            .forReading(writing.wrapped(), ALICE.binding())
            .get(30, TimeUnit.SECONDS)
            .streamingAead();

    assertThat(decrypt(reading, ciphertext)).isEqualTo("stored object body");
    assertThat(keyService.unwrapCount()).as("the check of the new key, then the read").isEqualTo(2);
  }

  @Test
  void anUnreachableRecordStoreIsUnavailableAndNotRemembered() throws Exception {
    UserKeys userKeys = newUserKeys();
    records.failWith(new IOException("connection refused"));

    assertThatThrownBy(() -> userKeys.forWriting(ALICE).get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE))
        .hasMessage("key record store unavailable: connection refused");

    records.heal();
    UserKey key = userKeys.forWriting(ALICE).get(30, TimeUnit.SECONDS);
    assertThat(records.stored("alice").orElseThrow().key()).isEqualTo(key.wrapped());
  }

  @Test
  void aVersion1RecordIsNeverUsedForWritingButReplacedByAVersion2Record() throws Exception {
    WrappedKey v1 = keyService.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    records.replace(KeyRecord.v1("alice", v1, Instant.now()));

    UserKey key = newUserKeys().forWriting(ALICE).get(30, TimeUnit.SECONDS);

    assertThat(key.wrapped()).isNotEqualTo(v1);
    assertThat(key.epoch()).isEqualTo(1);
    KeyRecord record = records.stored("alice").orElseThrow();
    assertThat(record.isV2()).isTrue();
    assertThat(record.key()).isEqualTo(key.wrapped());
    assertThat(keyService.unwrapCount())
        .as("the v1 key is not even unwrapped; only the new key, to check it")
        .isEqualTo(1);
  }

  @Test
  void aRecordForAnotherDomainMeansTheHomeChanged_aNewKeyWithTheNextEpoch() throws Exception {
    UserKey before =
        newUserKeys().forWriting(new KeyOwner("alice", "users/old")).get(30, TimeUnit.SECONDS);

    UserKey after = newUserKeys().forWriting(ALICE).get(30, TimeUnit.SECONDS);

    assertThat(after.wrapped()).isNotEqualTo(before.wrapped());
    assertThat(after.epoch()).isEqualTo(2);
    assertThat(records.stored("alice").orElseThrow().domain()).isEqualTo("users/alice");
  }

  @Test
  void aRecordThatNamesAnotherUserIsRefused() throws Exception {
    newUserKeys().forWriting(BOB).get(30, TimeUnit.SECONDS);
    records.storeUnder("alice", records.stored("bob").orElseThrow());

    assertRefused(newUserKeys(), ALICE, "names another user, bob");
  }

  @Test
  void aRecordWithAnEditedFieldFailsItsMac() throws Exception {
    newUserKeys().forWriting(ALICE).get(30, TimeUnit.SECONDS);
    KeyRecord real = records.stored("alice").orElseThrow();
    records.replace(
        new KeyRecord(2, "alice", "users/alice", 7, real.key(), real.created(), real.mac()));

    assertRefused(newUserKeys(), ALICE, "fails its MAC check");
  }

  @Test
  void aRecordWhoseKeyIsWrappedForAnotherDomainIsRefused() throws Exception {
    newUserKeys().forWriting(BOB).get(30, TimeUnit.SECONDS);
    KeyRecord bobs = records.stored("bob").orElseThrow();
    records.replace(
        new KeyRecord(2, "alice", "users/alice", 1, bobs.key(), bobs.created(), bobs.mac()));

    assertRefused(
        newUserKeys(), ALICE, Failure.REJECTED, "does not unwrap for key domain users/alice");
  }

  @Test
  void anOlderRecordPutBackAfterARotationThisGatewaySawIsRefusedAsARollback() throws Exception {
    UserKeys gateway = newUserKeys();
    gateway.forWriting(ALICE).get(30, TimeUnit.SECONDS);
    KeyRecord epochOne = records.stored("alice").orElseThrow();
    KeyIssuer.Issued rotated =
        new KeyIssuer(keyService, Clock.systemUTC()).issue(ALICE, 2).get(30, TimeUnit.SECONDS);
    records.replace(rotated.record());
    gateway.invalidate("alice");
    assertThat(gateway.forWriting(ALICE).get(30, TimeUnit.SECONDS).epoch()).isEqualTo(2);

    records.replace(epochOne);
    gateway.invalidate("alice");

    assertRefused(gateway, ALICE, "has epoch 1, older than epoch 2");
    assertThat(newUserKeys().forWriting(ALICE).get(30, TimeUnit.SECONDS).epoch())
        .as("a gateway that never saw epoch 2 cannot tell (documented)")
        .isEqualTo(1);
  }

  @Test
  void invalidateMakesTheNextUseReadARotatedRecord() throws Exception {
    UserKeys userKeys = newUserKeys();
    UserKey old = userKeys.forWriting(ALICE).get(30, TimeUnit.SECONDS);
    KeyIssuer.Issued rotated =
        new KeyIssuer(keyService, Clock.systemUTC()).issue(ALICE, 2).get(30, TimeUnit.SECONDS);
    records.replace(rotated.record());

    assertThat(userKeys.forWriting(ALICE).get(30, TimeUnit.SECONDS)).isSameAs(old);
    userKeys.invalidate("alice");

    assertThat(userKeys.forWriting(ALICE).get(30, TimeUnit.SECONDS).wrapped())
        .isEqualTo(rotated.record().key());
  }

  private static void assertRefused(UserKeys keys, KeyOwner owner, String why) {
    assertRefused(keys, owner, Failure.INVALID, why);
  }

  /** The key service's own refusal (REJECTED) is passed on as such, logged as a refused record. */
  private static void assertRefused(UserKeys keys, KeyOwner owner, Failure failure, String why) {
    assertThatThrownBy(() -> keys.forWriting(owner).get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(failure))
        .hasMessageContaining("refused the key record")
        .hasMessageContaining(why);
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
