package dev.dropzone.kek.eaas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.http.HttpSettings;
import dev.dropzone.kek.testing.FirstKey;
import dev.dropzone.kek.testing.KeyFailure;
import dev.dropzone.kek.testing.RecordedRequest;
import dev.dropzone.kek.testing.SingleFlight;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EaasKeyServiceTest {

  private static final HttpSettings FAST =
      HttpSettings.defaults()
          .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
          .withRetries(3, Duration.ofMillis(5), Duration.ofMillis(20));

  private EaasProtocolServer eaas;
  private EaasKeyService service;

  @BeforeEach
  void start() throws Exception {
    eaas = EaasProtocolServer.start("/api");
    eaas.createSecret("dropzone/master", 1);
    service = EaasKeyService.open(EaasSettings.of(eaas.uri(), "dropzone/master", 1).withHttp(FAST));
  }

  @AfterEach
  void stop() {
    service.close();
    eaas.close();
  }

  @Test
  void userKeysCreateAndReadBackAnRsaWrappedKey() throws Exception {
    FirstKey first = FirstKey.of(service, "alice");
    UserKey key = first.key();

    assertThat(key.wrapped().ref()).isEqualTo("eaas:dropzone/master:1");
    assertThat(key.wrapped().text()).matches("[0-9a-f]{512}");
    assertThat(first.reread()).isNotNull();
    assertThat(eaas.server().count("decrypt")).isEqualTo(1);
  }

  @Test
  void requestsUseTheSeedApiShapes() throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();

    WrappedKey wrapped = service.wrap(dataKey, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS);
    byte[] unwrapped = service.unwrap(wrapped, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS);

    assertThat(unwrapped).isEqualTo(dataKey);
    RecordedRequest encrypt = eaas.server().last("encrypt");
    assertThat(encrypt.path()).isEqualTo("/api/key/encrypt/rsa");
    assertThat(encrypt.header("Content-Type")).isEqualTo("application/json");
    assertThat(encrypt.body().fieldNames())
        .containsExactlyInAnyOrder("secret_path", "secret_version", "plaintext");
    assertThat(encrypt.body().getString("secret_path")).isEqualTo("dropzone/master");
    assertThat(encrypt.body().getValue("secret_version")).isEqualTo(1);
    assertThat(Base64.getDecoder().decode(encrypt.body().getString("plaintext")))
        .isEqualTo(dataKey);
    RecordedRequest decrypt = eaas.server().last("decrypt");
    assertThat(decrypt.path()).isEqualTo("/api/key/decrypt/rsa");
    assertThat(decrypt.body().fieldNames())
        .containsExactlyInAnyOrder("secret_path", "secret_version", "ciphertext");
    assertThat(decrypt.body().getString("ciphertext")).isEqualTo(wrapped.text());
  }

  @Test
  void anInfoReplyInsteadOfACiphertextIsARefusalCarryingItsMessage() {
    EaasKeyService missing =
        EaasKeyService.open(EaasSettings.of(eaas.uri(), "no/such/secret", 7).withHttp(FAST));
    try {
      KeyServiceException failure =
          KeyFailure.of(missing.wrap(StreamingKeys.newDataKey(), KeyBinding.user("carol")));

      assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
      assertThat(failure.getMessage())
          .contains("eaas at " + eaas.uri(), "'no/such/secret'", "version 7")
          .contains("No secret found at no/such/secret version 7");
      assertThat(eaas.server().count("encrypt")).isEqualTo(1);
    } finally {
      missing.close();
    }
  }

  @Test
  void anErrorReplyToDecryptIsARefusalCarryingItsMessage() throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("dave")).get(10, TimeUnit.SECONDS);
    char first = wrapped.text().charAt(0);
    WrappedKey tampered =
        new WrappedKey(wrapped.ref(), (first == 'a' ? 'b' : 'a') + wrapped.text().substring(1));

    KeyServiceException failure = KeyFailure.of(service.unwrap(tampered, KeyBinding.user("dave")));

    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
    assertThat(failure.getMessage()).contains("HTTP 200 without 'plaintext'", "decryption error");
  }

  @Test
  void keysWrappedWithAnOlderVersionUnwrapWithThatVersion() throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey old = service.wrap(dataKey, KeyBinding.user("erin")).get(10, TimeUnit.SECONDS);
    eaas.createSecret("dropzone/master", 2);
    try (EaasKeyService upgraded =
        EaasKeyService.open(EaasSettings.of(eaas.uri(), "dropzone/master", 2).withHttp(FAST))) {

      WrappedKey fresh =
          upgraded
              .wrap(StreamingKeys.newDataKey(), KeyBinding.user("erin"))
              .get(10, TimeUnit.SECONDS);
      byte[] unwrapped = upgraded.unwrap(old, KeyBinding.user("erin")).get(10, TimeUnit.SECONDS);

      assertThat(fresh.ref()).isEqualTo("eaas:dropzone/master:2");
      assertThat(unwrapped).isEqualTo(dataKey);
      assertThat(eaas.server().last("decrypt").body().getValue("secret_version")).isEqualTo(1);
    }
  }

  @Test
  void retriesA503AndThenSucceeds() throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey wrapped = service.wrap(dataKey, KeyBinding.user("finn")).get(10, TimeUnit.SECONDS);
    eaas.server().failNext(2, 503, new JsonObject().put("Error", "upstream unavailable"));

    assertThat(service.unwrap(wrapped, KeyBinding.user("finn")).get(10, TimeUnit.SECONDS))
        .isEqualTo(dataKey);
    assertThat(eaas.server().count("decrypt")).isEqualTo(3);
  }

  @Test
  void doesNotRetryA403() throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("gus")).get(10, TimeUnit.SECONDS);
    eaas.server().failNext(1, 403, new JsonObject().put("Error", "forbidden"));

    KeyServiceException failure = KeyFailure.of(service.unwrap(wrapped, KeyBinding.user("gus")));

    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
    assertThat(failure.getMessage()).contains("HTTP 403", "forbidden");
    assertThat(eaas.server().count("decrypt")).isEqualTo(1);
  }

  @Test
  void aSlowServerTimesOutAsUnavailable() throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("hal")).get(10, TimeUnit.SECONDS);
    eaas.server().delayReplies(Duration.ofSeconds(3));
    try (EaasKeyService impatient =
        EaasKeyService.open(
            EaasSettings.of(eaas.uri(), "dropzone/master", 1)
                .withHttp(
                    FAST.withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(150))
                        .withRetries(2, Duration.ofMillis(5), Duration.ofMillis(10))))) {

      KeyServiceException failure =
          KeyFailure.of(impatient.unwrap(wrapped, KeyBinding.user("hal")));

      assertThat(failure.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(failure.getMessage()).contains("timed out", "'dropzone/master'");
    }
  }

  @Test
  void hundredConcurrentReadsOfOneKeyMakeOneDecryptRequest() throws Exception {
    SingleFlight.assertOneUnwrapForConcurrentReads(service, eaas.server(), "decrypt", "ida");
  }

  @Test
  void malformedOrForeignWrapsFailWithoutAsking() {
    KeyFailure.ofUnwrap(service, "eaas:dropzone/master:1", "xyz", Failure.INVALID);
    KeyFailure.ofUnwrap(service, "eaas:dropzone/master:v", "abcd", Failure.INVALID);
    KeyFailure.ofUnwrap(service, "eaas:other:1", "abcd", Failure.REJECTED);
    KeyFailure.ofUnwrap(service, "vault:transit/k:v1", "vault:v1:AA", Failure.REJECTED);

    assertThat(eaas.server().count("decrypt")).isZero();
  }
}
