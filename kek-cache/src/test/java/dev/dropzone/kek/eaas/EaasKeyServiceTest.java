package dev.dropzone.kek.eaas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.http.ClientCertificate;
import dev.dropzone.kek.http.HttpSettings;
import dev.dropzone.kek.testing.DomainBinding;
import dev.dropzone.kek.testing.FirstKey;
import dev.dropzone.kek.testing.KeyFailure;
import dev.dropzone.kek.testing.RecordedRequest;
import dev.dropzone.kek.testing.SingleFlight;
import dev.dropzone.kek.testing.TestCertificate;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EaasKeyServiceTest {

  // Fast retries, generous timeouts: a cold first request on a loaded machine can take seconds.
  private static final HttpSettings FAST =
      HttpSettings.defaults()
          .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30))
          .withRetries(3, Duration.ofMillis(5), Duration.ofMillis(20));

  private EaasProtocolServer eaas;
  private EaasKeyService service;

  @BeforeEach
  void start() throws Exception {
    eaas = EaasProtocolServer.start("/api");
    eaas.createSecret("dropzone/master", 1);
    service = EaasKeyService.open(settings("dropzone/master", 1));
  }

  private EaasSettings settings(String secretPath, int secretVersion) {
    return EaasSettings.of(eaas.uri(), secretPath, secretVersion)
        .withToken(eaas.token())
        .withHttp(FAST);
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
    assertThat(key.wrapped().text())
        .as("a user key is wrapped for its home (format v2): ciphertext and binding tag")
        .matches("[0-9a-f]{512}\\.[0-9a-f]{64}");
    assertThat(first.reread()).isNotNull();
    assertThat(eaas.server().count("decrypt"))
        .as("the check of the new key at its creation, then the read back")
        .isEqualTo(2);
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
    assertThat(encrypt.header("Authorization")).isEqualTo("Bearer " + eaas.token());
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
    assertThat(decrypt.header("Authorization")).isEqualTo("Bearer " + eaas.token());
    assertThat(wrapped.text()).as("a format v1 key keeps the v1 form").matches("[0-9a-f]{512}");
  }

  @Test
  void aWrongTokenIsRefusedAsTheServiceWouldWithoutRetryOrEcho() {
    try (EaasKeyService wrong =
        EaasKeyService.open(settings("dropzone/master", 1).withToken("eaas-wrong-token"))) {

      KeyServiceException failure =
          KeyFailure.of(wrong.wrap(StreamingKeys.newDataKey(), KeyBinding.user("una")));

      assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
      assertThat(failure.getMessage())
          .contains("HTTP 401", "unauthorized", "refused the credentials")
          .doesNotContain("eaas-wrong-token");
      assertThat(eaas.server().count("encrypt")).isEqualTo(1);
    }
  }

  @Test
  void aClientWithoutCredentialsIsNotOpened() {
    assertThatThrownBy(
            () ->
                EaasKeyService.open(
                    EaasSettings.of(eaas.uri(), "dropzone/master", 1).withHttp(FAST)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs credentials");
    assertThat(settings("dropzone/master", 1).toString()).doesNotContain(eaas.token());
  }

  @Test
  void aClientCertificateAuthenticatesOverMutualTls(@TempDir Path dir) throws Exception {
    TestCertificate server = TestCertificate.forLoopback("eaas test service");
    TestCertificate client = TestCertificate.forLoopback("dropzone gateway");
    HttpSettings tls = FAST.withCaBundle(server.writeCertificatePem(dir.resolve("ca.pem")));
    ClientCertificate certificate =
        new ClientCertificate(
            client.writeCertificatePem(dir.resolve("client.pem")),
            client.writePrivateKeyPem(dir.resolve("client-key.pem")));
    try (EaasProtocolServer mutual =
        EaasProtocolServer.startMutualTls("", server.serverOptions(), client.trustOptions())) {
      mutual.createSecret("dropzone/master", 1);
      EaasSettings base = EaasSettings.of(mutual.uri(), "dropzone/master", 1);
      byte[] dataKey = StreamingKeys.newDataKey();

      try (EaasKeyService withCertificate =
              EaasKeyService.open(base.withHttp(tls.withClientCertificate(certificate)));
          EaasKeyService withTokenOnly =
              EaasKeyService.open(base.withToken("not-enough").withHttp(tls))) {
        WrappedKey wrapped =
            withCertificate
                .wrap(dataKey, KeyBinding.domain("users/vera"))
                .get(10, TimeUnit.SECONDS);

        assertThat(
                withCertificate
                    .unwrap(wrapped, KeyBinding.domain("users/vera"))
                    .get(10, TimeUnit.SECONDS))
            .isEqualTo(dataKey);
        KeyServiceException refused =
            KeyFailure.of(withTokenOnly.unwrap(wrapped, KeyBinding.domain("users/vera")));
        assertThat(refused.failure()).isEqualTo(Failure.REJECTED);
        assertThat(refused.getMessage()).contains("HTTP 401", "no client certificate");
      }
    }
  }

  @Test
  void formatV2KeysCarryABindingTagThatIsCheckedAfterDecrypting() throws Exception {
    WrappedKey wrapped = DomainBinding.assertHeldBy(service);

    assertThat(wrapped.text()).matches("[0-9a-f]{512}\\.[0-9a-f]{64}");
    String ciphertext = wrapped.text().substring(0, 512);
    assertThat(eaas.server().requests("decrypt").get(0).body().getString("ciphertext"))
        .as("the service sees the RSA ciphertext only")
        .isEqualTo(ciphertext);
    int decrypts = eaas.server().count("decrypt");
    KeyServiceException copied =
        KeyFailure.of(service.unwrap(wrapped, KeyBinding.domain("users/bob")));
    assertThat(copied.getMessage()).contains("binding tag does not match");
    assertThat(eaas.server().count("decrypt")).isEqualTo(decrypts + 1);
  }

  @Test
  void theBindingTagIsHmacSha256UnderAnHkdfKeyOfTheDataKey() throws Exception {
    byte[] dataKey =
        HexFormat.of()
            .parseHex("000102030405060708090a0b0c0d0e0f" + "101112131415161718191a1b1c1d1e1f");
    KeyBinding binding = KeyBinding.domain("users/alice");

    WrappedKey wrapped = service.wrap(dataKey, binding).get(10, TimeUnit.SECONDS);

    // Computed from the documented construction alone, without the provider's code.
    byte[] prk = hmac(new byte[32], dataKey);
    byte[] info = "dropzone/v2 eaas binding".getBytes(StandardCharsets.UTF_8);
    byte[] okm = hmac(prk, ByteBuffer.allocate(info.length + 1).put(info).put((byte) 1).array());
    byte[] tag = hmac(okm, "dropzone/kek/v2:users/alice".getBytes(StandardCharsets.UTF_8));
    assertThat(wrapped.text()).endsWith("." + HexFormat.of().formatHex(tag));
  }

  private static byte[] hmac(byte[] key, byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  @Test
  void aFormatV1KeyWithoutTagIsAcceptedForAUserBindingOnly() throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey v1 = service.wrap(dataKey, KeyBinding.user("users/wes")).get(10, TimeUnit.SECONDS);

    assertThat(service.unwrap(v1, KeyBinding.user("users/wes")).get(10, TimeUnit.SECONDS))
        .isEqualTo(dataKey);
    int decrypts = eaas.server().count("decrypt");
    KeyServiceException refused = KeyFailure.of(service.unwrap(v1, KeyBinding.domain("users/wes")));
    assertThat(refused.failure()).isEqualTo(Failure.REJECTED);
    assertThat(refused.getMessage()).contains("carries no binding tag");
    assertThat(eaas.server().count("decrypt")).as("refused without asking").isEqualTo(decrypts);
  }

  @Test
  void referencesBelowTheMinimumSecretVersionAreRefusedWithoutAsking() throws Exception {
    WrappedKey old =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("xia")).get(10, TimeUnit.SECONDS);
    eaas.createSecret("dropzone/master", 2);
    try (EaasKeyService current =
        EaasKeyService.open(settings("dropzone/master", 2).withMinSecretVersion(2))) {

      KeyServiceException refused = KeyFailure.of(current.unwrap(old, KeyBinding.user("xia")));

      assertThat(refused.failure()).isEqualTo(Failure.REJECTED);
      assertThat(refused.getMessage())
          .contains("secret_version 1, below the minimum 2", "keys.eaas.minSecretVersion");
      assertThat(eaas.server().count("decrypt")).isZero();
    }
    assertThatThrownBy(() -> settings("dropzone/master", 2).withMinSecretVersion(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 0 and the secret version 2");
  }

  @Test
  void anInfoReplyInsteadOfACiphertextIsARefusalCarryingItsMessage() {
    EaasKeyService missing = EaasKeyService.open(settings("no/such/secret", 7));
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
    try (EaasKeyService upgraded = EaasKeyService.open(settings("dropzone/master", 2))) {

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
  void aServiceThatKeepsFailingIsReportedWithEveryAttempt() throws Exception {
    KeyServiceException failure = unwrapFailing("ida", 10, 503, "upstream unavailable");

    assertThat(failure.failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(failure.getMessage())
        .contains("no usable answer after 3 attempts: attempts 1-3: HTTP 503")
        .contains("upstream unavailable");
    assertThat(eaas.server().count("decrypt")).isEqualTo(3);
  }

  @Test
  void doesNotRetryA403() throws Exception {
    KeyServiceException failure = unwrapFailing("gus", 1, 403, "forbidden");

    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
    assertThat(failure.getMessage()).contains("HTTP 403", "forbidden");
    assertThat(eaas.server().count("decrypt")).isEqualTo(1);
  }

  /** The failure of unwrapping a new key of {@code user} while the service fails its next calls. */
  private KeyServiceException unwrapFailing(String user, int calls, int status, String error)
      throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user(user)).get(10, TimeUnit.SECONDS);
    eaas.server().failNext(calls, status, new JsonObject().put("Error", error));
    return KeyFailure.of(service.unwrap(wrapped, KeyBinding.user(user)));
  }

  @Test
  void aSlowServerTimesOutAsUnavailable() throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("hal")).get(10, TimeUnit.SECONDS);
    eaas.server().delayReplies(Duration.ofSeconds(3));
    try (EaasKeyService impatient =
        EaasKeyService.open(
            settings("dropzone/master", 1)
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
