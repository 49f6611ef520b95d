package dev.dropzone.kek.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.http.HttpSettings;
import dev.dropzone.kek.testing.DomainBinding;
import dev.dropzone.kek.testing.FirstKey;
import dev.dropzone.kek.testing.KeyFailure;
import dev.dropzone.kek.testing.RecordedRequest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

class KmsKeyServiceTest {

  // Fast retries, but generous timeouts: a cold first request on a loaded machine can take many
  // seconds, and a timed-out attempt is retried, which would spoil the request counts.
  private static final HttpSettings FAST =
      HttpSettings.defaults()
          .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30))
          .withRetries(3, Duration.ofMillis(5), Duration.ofMillis(20));

  private KmsProtocolServer kms;
  private String arn;
  private KmsKeyService service;

  @BeforeEach
  void start() {
    kms = KmsProtocolServer.start();
    arn = kms.createKey("alias/dropzone");
    service = KmsKeyService.open(settings(FAST));
  }

  @AfterEach
  void stop() {
    service.close();
    kms.close();
  }

  private KmsSettings settings(HttpSettings http) {
    return settingsFor("alias/dropzone").withHttp(http);
  }

  private KmsSettings settingsFor(String keyId) {
    return KmsSettings.of(keyId, KmsProtocolServer.REGION)
        .withEndpoint(kms.uri())
        .withCredentials(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret-key")))
        .withHttp(FAST);
  }

  @Test
  void userKeysCreateAndReadBackAKmsWrappedKey() throws Exception {
    FirstKey first = FirstKey.of(service, "alice");
    UserKey key = first.key();

    assertThat(service.masterKeyId()).isEqualTo("kms:alias/dropzone");
    assertThat(key.wrapped().ref()).isEqualTo("kms:" + arn);
    assertThat(first.reread()).isNotNull();
    assertThat(kms.server().count("Decrypt"))
        .as("the check of the new key at its creation, then the read back")
        .isEqualTo(2);
  }

  @Test
  void requestsSpeakTheKmsJsonProtocolWithTheUserAsEncryptionContext() throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();

    WrappedKey wrapped = service.wrap(dataKey, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS);
    byte[] unwrapped = service.unwrap(wrapped, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS);

    assertThat(unwrapped).isEqualTo(dataKey);
    RecordedRequest encrypt = kms.server().last("Encrypt");
    assertThat(encrypt.path()).isEqualTo("/");
    assertThat(encrypt.header("X-Amz-Target")).isEqualTo("TrentService.Encrypt");
    assertThat(encrypt.header("Content-Type")).startsWith("application/x-amz-json-1.1");
    assertThat(encrypt.header("Authorization")).contains("Credential=AKIDTEST/");
    assertThat(encrypt.body().getString("KeyId")).isEqualTo("alias/dropzone");
    assertThat(Base64.getDecoder().decode(encrypt.body().getString("Plaintext")))
        .isEqualTo(dataKey);
    assertThat(encrypt.body().getJsonObject("EncryptionContext").getMap())
        .containsExactlyEntriesOf(Map.of("dropzone:user", "bob"));
    RecordedRequest decrypt = kms.server().last("Decrypt");
    assertThat(decrypt.header("X-Amz-Target")).isEqualTo("TrentService.Decrypt");
    assertThat(decrypt.body().getString("CiphertextBlob")).isEqualTo(wrapped.text());
    assertThat(decrypt.body().getString("KeyId"))
        .as("Decrypt names the configured key, never the one the reference names")
        .isEqualTo("alias/dropzone");
    assertThat(decrypt.body().getJsonObject("EncryptionContext").getMap())
        .containsExactlyEntriesOf(Map.of("dropzone:user", "bob"));
  }

  @Test
  void formatV2KeysCarryTheKeyDomainAsEncryptionContextAndUnwrapOnlyThere() throws Exception {
    DomainBinding.assertHeldBy(service);

    assertThat(kms.server().requests("Encrypt").get(0).body().getJsonObject("EncryptionContext"))
        .isEqualTo(new JsonObject().put("dropzone:domain", "users/alice"));
  }

  @Test
  void aReferenceNamingAnotherKeyIsRefusedWithoutAskingKms() throws Exception {
    // The gateway's role may decrypt with a key of the attacker's (a too-wide key policy): an
    // object whose dz-key-ref names that key must not make the gateway ask it.
    kms.createKey("alias/attacker");
    WrappedKey forged;
    try (KmsKeyService attacker = KmsKeyService.open(settingsFor("alias/attacker"))) {
      forged =
          attacker
              .wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice"))
              .get(10, TimeUnit.SECONDS);
    }
    service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("alice")).get(10, TimeUnit.SECONDS);
    int decrypts = kms.server().count("Decrypt");

    KeyServiceException failure = KeyFailure.of(service.unwrap(forged, KeyBinding.user("alice")));

    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
    assertThat(failure.getMessage())
        .contains(forged.ref().substring("kms:".length()))
        .contains("refused without asking KMS", "'alias/dropzone' (" + arn + ")")
        .contains("keys.kms.retiredKeyIds");
    assertThat(kms.server().count("Decrypt")).isEqualTo(decrypts);
    assertThat(kms.server().count("DescribeKey"))
        .as("the alias's key was learned from Encrypt")
        .isZero();
  }

  @Test
  void aGatewayThatHasNotWrappedYetLearnsTheAliasOnceAMinuteAtMost() throws Exception {
    String other = kms.createKey("alias/other");
    WrappedKey mine =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("bob")).get(10, TimeUnit.SECONDS);
    try (KmsKeyService reader = KmsKeyService.open(settings(FAST))) {

      assertThat(reader.unwrap(mine, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS)).hasSize(32);
      for (int i = 0; i < 3; i++) {
        KeyFailure.ofUnwrap(reader, "kms:" + other, mine.text(), Failure.REJECTED);
      }

      assertThat(kms.server().count("DescribeKey")).isEqualTo(1);
      assertThat(kms.server().count("Decrypt")).isEqualTo(1);
    }
  }

  @Test
  void aRetiredKeyKeepsItsKeysReadableAfterTheAliasMoved() throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey old = service.wrap(dataKey, KeyBinding.user("carl")).get(10, TimeUnit.SECONDS);
    String successor = kms.createKey("alias/successor");
    kms.moveAlias("alias/dropzone", successor);

    try (KmsKeyService withoutRetired = KmsKeyService.open(settings(FAST));
        KmsKeyService withRetired =
            KmsKeyService.open(settings(FAST).withRetiredKeyIds(List.of(arn)))) {

      assertThat(KeyFailure.of(withoutRetired.unwrap(old, KeyBinding.user("carl"))).getMessage())
          .contains("'alias/dropzone' (" + successor + ")");
      assertThat(withRetired.unwrap(old, KeyBinding.user("carl")).get(10, TimeUnit.SECONDS))
          .isEqualTo(dataKey);
      assertThat(kms.server().last("Decrypt").body().getString("KeyId")).isEqualTo(arn);
      assertThat(withRetired.wrap(dataKey, KeyBinding.user("carl")).get(10, TimeUnit.SECONDS).ref())
          .as("new keys go to the key the alias names now")
          .isEqualTo("kms:" + successor);
    }
  }

  @Test
  void aRetiredKeyOnlyDecryptsWhatItWrapped() throws Exception {
    String retired = kms.createKey("alias/retired");
    WrappedKey current =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("dan")).get(10, TimeUnit.SECONDS);
    try (KmsKeyService withRetired =
        KmsKeyService.open(settings(FAST).withRetiredKeyIds(List.of(retired)))) {

      // The reference edited to name the retired key: KMS is asked with the retired key, and
      // refuses a blob another key made.
      KeyServiceException failure =
          KeyFailure.ofUnwrap(withRetired, "kms:" + retired, current.text(), Failure.REJECTED);

      assertThat(failure.getMessage()).contains("IncorrectKeyException");
      assertThat(kms.server().last("Decrypt").body().getString("KeyId")).isEqualTo(retired);
    }
  }

  @Test
  void aKeyConfiguredByIdMatchesTheArnsItWrapsWith() throws Exception {
    String id = arn.substring(arn.lastIndexOf('/') + 1);
    try (KmsKeyService byId = KmsKeyService.open(settingsFor(id))) {
      byte[] dataKey = StreamingKeys.newDataKey();

      WrappedKey wrapped = byId.wrap(dataKey, KeyBinding.user("eve")).get(10, TimeUnit.SECONDS);

      assertThat(wrapped.ref()).isEqualTo("kms:" + arn);
      assertThat(byId.unwrap(wrapped, KeyBinding.user("eve")).get(10, TimeUnit.SECONDS))
          .isEqualTo(dataKey);
      assertThat(kms.server().last("Decrypt").body().getString("KeyId")).isEqualTo(id);
      assertThat(kms.server().count("DescribeKey")).isZero();
    }
  }

  @Test
  void retiredKeysMustBeNamedByIdOrArnNotByAlias() {
    assertThatThrownBy(() -> settings(FAST).withRetiredKeyIds(List.of("alias/old")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'alias/old' is an alias");
  }

  @Test
  void aKeyWrappedForOneUserDoesNotUnwrapForAnother() throws Exception {
    KeyServiceException failure = KeyFailure.ofAnotherUser(service);

    assertThat(failure.getMessage())
        .contains("aws kms at " + kms.uri(), "'alias/dropzone'", "InvalidCiphertextException")
        .contains("another user");
    assertThat(kms.server().count("Decrypt")).isEqualTo(1);
  }

  @Test
  void retriesA500AndThenSucceeds() throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey wrapped = service.wrap(dataKey, KeyBinding.user("dave")).get(10, TimeUnit.SECONDS);
    kms.failNext(2, 500, "KMSInternalException");

    assertThat(service.unwrap(wrapped, KeyBinding.user("dave")).get(10, TimeUnit.SECONDS))
        .isEqualTo(dataKey);
    assertThat(kms.server().count("Decrypt")).isEqualTo(3);
  }

  @Test
  void keepsFailingWith503IsUnavailable() throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("erin")).get(10, TimeUnit.SECONDS);
    kms.failNext(10, 503, "DependencyTimeoutException");

    KeyServiceException failure = KeyFailure.of(service.unwrap(wrapped, KeyBinding.user("erin")));

    assertThat(failure.failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(failure.getMessage()).contains("DependencyTimeoutException", "HTTP 503");
    assertThat(kms.server().count("Decrypt")).isEqualTo(3);
  }

  @Test
  void doesNotRetryAccessDenied() throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("finn")).get(10, TimeUnit.SECONDS);
    kms.failNext(1, 400, "AccessDeniedException");

    KeyServiceException failure = KeyFailure.of(service.unwrap(wrapped, KeyBinding.user("finn")));

    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
    assertThat(failure.getMessage()).contains("AccessDeniedException").doesNotContain("secret-key");
    assertThat(kms.server().count("Decrypt")).isEqualTo(1);
  }

  @Test
  void anUnknownKeyIsRejected() {
    KmsSettings missingKey =
        new KmsSettings(
            "alias/missing",
            List.of(),
            KmsProtocolServer.REGION,
            Optional.of(kms.uri()),
            settings(FAST).credentials(),
            FAST);
    try (KmsKeyService missing = KmsKeyService.open(missingKey)) {

      KeyServiceException failure =
          KeyFailure.of(missing.wrap(StreamingKeys.newDataKey(), KeyBinding.user("g")));

      assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
      assertThat(failure.getMessage()).contains("NotFoundException", "alias/missing");
      assertThat(kms.server().count("Encrypt")).isEqualTo(1);
    }
  }

  @Test
  void aSlowServerTimesOutAsUnavailable() throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("hal")).get(10, TimeUnit.SECONDS);
    kms.server().delayReplies(Duration.ofSeconds(3));
    try (KmsKeyService impatient =
        KmsKeyService.open(
            settings(
                FAST.withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(200))
                    .withRetries(2, Duration.ofMillis(5), Duration.ofMillis(10))))) {

      KeyServiceException failure =
          KeyFailure.of(impatient.unwrap(wrapped, KeyBinding.user("hal")));

      assertThat(failure.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failure.getMessage()).contains("'alias/dropzone'", "no answer");
    }
  }

  @Test
  void malformedOrForeignWrapsFailWithoutAsking() {
    KeyFailure.ofUnwrap(service, "kms:" + arn, "***", Failure.INVALID);
    KeyFailure.ofUnwrap(service, "vault:transit/k:v1", "vault:v1:AA", Failure.REJECTED);

    assertThat(kms.server().count("Decrypt")).isZero();
  }
}
