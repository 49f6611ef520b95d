package dev.dropzone.kek.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.testing.DomainBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyServiceTest {

  @TempDir Path directory;

  @Test
  void createsTheKeysetFileOwnerOnlyInMissingDirectories() throws Exception {
    Path file = directory.resolve("state/keys/master.json");

    LocalKeyService service = LocalKeyService.open(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(service.masterKeyId()).matches("local:\\d+");
    try (var leftovers = Files.list(file.getParent())) {
      assertThat(leftovers).containsExactly(file);
    }
  }

  @Test
  void aReopenedKeysetUnwrapsWhatTheFirstInstanceWrapped() throws Exception {
    Path file = directory.resolve("master.json");
    LocalKeyService first = LocalKeyService.open(file);
    byte[] dataKey = StreamingKeys.newDataKey();

    WrappedKey wrapped = first.wrap(dataKey, KeyBinding.user("alice")).get();
    LocalKeyService reopened = LocalKeyService.open(file);

    assertThat(reopened.masterKeyId()).isEqualTo(first.masterKeyId());
    assertThat(wrapped.ref()).isEqualTo(first.masterKeyId());
    assertThat(wrapped.provider()).isEqualTo("local");
    assertThat(reopened.unwrap(wrapped, KeyBinding.user("alice")).get()).isEqualTo(dataKey);
  }

  @Test
  void aKeyWrappedForADomainUnwrapsOnlyForThatDomain() throws Exception {
    LocalKeyService service = LocalKeyService.open(directory.resolve("master.json"));

    WrappedKey wrapped = DomainBinding.assertHeldBy(service);

    assertThat(wrapped.ref()).isEqualTo(service.masterKeyId());
  }

  @Test
  void wrappedKeysFitS3MetadataAndDifferEachTime() throws Exception {
    LocalKeyService service = LocalKeyService.open(directory.resolve("master.json"));
    byte[] dataKey = StreamingKeys.newDataKey();

    WrappedKey one = service.wrap(dataKey, KeyBinding.user("alice")).get();
    WrappedKey two = service.wrap(dataKey, KeyBinding.user("alice")).get();

    assertThat(one.text()).isNotEqualTo(two.text());
    assertThat(one.text().length() + one.ref().length()).isLessThan(200);
    assertThat(one.text()).doesNotContain(Base64.getEncoder().encodeToString(dataKey));
  }

  @Test
  void processesRacingToCreateTheKeysetEndWithOne() throws Exception {
    Path file = directory.resolve("master.json");
    int racers = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      List<Future<LocalKeyService>> opened = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        Callable<LocalKeyService> open =
            () -> {
              start.await();
              return LocalKeyService.open(file);
            };
        opened.add(pool.submit(open));
      }
      start.countDown();
      Set<String> ids =
          opened.stream()
              .map(LocalKeyServiceTest::join)
              .map(LocalKeyService::masterKeyId)
              .collect(Collectors.toSet());
      assertThat(ids).hasSize(1);
      assertThat(LocalKeyService.open(file).masterKeyId()).isEqualTo(ids.iterator().next());
      try (var leftovers = Files.list(directory)) {
        assertThat(leftovers).containsExactly(file);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesAKeysetFileThatGroupOrOthersCanRead() throws Exception {
    Path file = directory.resolve("master.json");
    LocalKeyService.open(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

    assertThatThrownBy(() -> LocalKeyService.open(file))
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.REJECTED))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("rw-r-----")
        .hasMessageContaining("chmod 600");
  }

  @Test
  void refusesACorruptKeysetFileAndLeavesItAlone() throws Exception {
    Path file = directory.resolve("master.json");
    Files.writeString(file, "{\"primaryKeyId\": 1, \"key\": [");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(() -> LocalKeyService.open(file))
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.INVALID))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("restore it from a backup");
    assertThat(Files.readString(file)).isEqualTo("{\"primaryKeyId\": 1, \"key\": [");
  }

  @Test
  void refusesAKeysetThatHoldsNoAeadKey() throws Exception {
    StreamingAeadConfig.register();
    Path file = directory.resolve("streaming.json");
    Files.writeString(
        file,
        TinkJsonProtoKeysetFormat.serializeKeyset(
            KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB),
            InsecureSecretKeyAccess.get()));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(() -> LocalKeyService.open(file))
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.INVALID))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("does not hold an AEAD keyset");
  }

  @Test
  void garbageTextIsInvalid() throws Exception {
    LocalKeyService service = LocalKeyService.open(directory.resolve("master.json"));
    WrappedKey garbage = new WrappedKey(service.masterKeyId(), "not*base64!");

    assertFailure(service, garbage, "alice", Failure.INVALID)
        .hasMessageContaining("local")
        .hasMessageContaining(service.masterKeyId())
        .hasMessageContaining("not Base64");
  }

  @Test
  void truncatedTextIsInvalid() throws Exception {
    LocalKeyService service = LocalKeyService.open(directory.resolve("master.json"));
    WrappedKey wrapped = service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get();
    WrappedKey truncated = new WrappedKey(wrapped.ref(), wrapped.text().substring(0, 12));

    assertFailure(service, truncated, "alice", Failure.INVALID)
        .hasMessageContaining(service.masterKeyId())
        .hasMessageContaining("malformed");
  }

  @Test
  void alteredCiphertextIsRejected() throws Exception {
    LocalKeyService service = LocalKeyService.open(directory.resolve("master.json"));
    byte[] dataKey = StreamingKeys.newDataKey();
    byte[] ciphertext =
        Base64.getDecoder().decode(service.wrap(dataKey, KeyBinding.user("alice")).get().text());
    ciphertext[ciphertext.length - 1] ^= 1;
    WrappedKey altered =
        new WrappedKey(service.masterKeyId(), Base64.getEncoder().encodeToString(ciphertext));

    assertFailure(service, altered, "alice", Failure.REJECTED)
        .hasMessageContaining(service.masterKeyId())
        .satisfies(e -> assertNoKeyMaterial(e, dataKey, altered));
  }

  @Test
  void anotherUsersWrappedKeyIsRejected() throws Exception {
    LocalKeyService service = LocalKeyService.open(directory.resolve("master.json"));
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey alices = service.wrap(dataKey, KeyBinding.user("alice")).get();

    assertFailure(service, alices, "bob", Failure.REJECTED)
        .hasMessageContaining("bob")
        .hasMessageContaining(alices.ref())
        .satisfies(e -> assertNoKeyMaterial(e, dataKey, alices));
  }

  @Test
  void aKeyWrappedByAnotherMasterKeyIsRejected() throws Exception {
    LocalKeyService ours = LocalKeyService.open(directory.resolve("ours.json"));
    LocalKeyService theirs = LocalKeyService.open(directory.resolve("theirs.json"));
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey foreign = theirs.wrap(dataKey, KeyBinding.user("alice")).get();

    assertFailure(ours, foreign, "alice", Failure.REJECTED)
        .hasMessageContaining(ours.masterKeyId())
        .hasMessageContaining(theirs.masterKeyId())
        .satisfies(e -> assertNoKeyMaterial(e, dataKey, foreign));
  }

  @Test
  void aKeyOfAnotherProviderIsRejected() throws Exception {
    LocalKeyService service = LocalKeyService.open(directory.resolve("master.json"));
    WrappedKey vault = new WrappedKey("vault:transit/dropzone", "vault:v1:abcdef");

    assertFailure(service, vault, "alice", Failure.REJECTED)
        .hasMessageContaining("'vault'")
        .hasMessageContaining(service.masterKeyId());
  }

  @Test
  void wrapRefusesAnythingButA32ByteKey() throws Exception {
    LocalKeyService service = LocalKeyService.open(directory.resolve("master.json"));

    assertThatThrownBy(() -> service.wrap(new byte[16], KeyBinding.user("alice")).get())
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(Failure.INVALID))
        .hasMessageContaining("32 bytes");
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertFailure(
      LocalKeyService service, WrappedKey key, String user, Failure expected) {
    return assertThatThrownBy(() -> service.unwrap(key, KeyBinding.user(user)).get())
        .cause()
        .isInstanceOfSatisfying(
            KeyServiceException.class, e -> assertThat(e.failure()).isEqualTo(expected));
  }

  private static void assertNoKeyMaterial(Throwable e, byte[] dataKey, WrappedKey wrapped) {
    assertThat(e.getMessage())
        .doesNotContain(wrapped.text())
        .doesNotContain(Base64.getEncoder().encodeToString(dataKey))
        .doesNotContainIgnoringCase(HexFormat.of().formatHex(dataKey));
  }

  private static <T> T join(Future<T> future) {
    try {
      return future.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
