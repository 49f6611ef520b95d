package dev.dropzone.kek.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.StreamingAead;
import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.http.HttpSettings;
import dev.dropzone.kek.testing.DomainBinding;
import dev.dropzone.kek.testing.FirstKey;
import dev.dropzone.kek.testing.InMemoryKeyRecordStore;
import dev.dropzone.kek.testing.KeyFailure;
import dev.dropzone.kek.testing.RecordedRequest;
import dev.dropzone.kek.testing.SingleFlight;
import dev.dropzone.kek.testing.TestCertificate;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultTransitKeyServiceTest {

  private static final String TOKEN = "hvs.test-token-never-logged";
  // Fast retries, generous timeouts: a cold first request on a loaded machine can take seconds.
  private static final HttpSettings FAST =
      HttpSettings.defaults()
          .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30))
          .withRetries(3, Duration.ofMillis(5), Duration.ofMillis(20));

  private VaultTransitProtocolServer vault;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void startVault() {
    vault = VaultTransitProtocolServer.start("transit", TOKEN);
    vault.createKey("dropzone", false);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    vault.close();
  }

  private VaultTransitKeyService service(VaultTransitSettings settings) {
    VaultTransitKeyService service = VaultTransitKeyService.open(settings);
    open.add(service);
    return service;
  }

  private VaultTransitKeyService service() {
    return service(VaultTransitSettings.of(vault.uri(), "dropzone", TOKEN).withHttp(FAST));
  }

  @Test
  void userKeysCreateAndReadBackAKeyWrappedByTransit() throws Exception {
    VaultTransitKeyService service = service();
    InMemoryKeyRecordStore records = new InMemoryKeyRecordStore();

    // FirstKey reads back through a fresh cache, as on another replica, which has to ask Vault.
    FirstKey first = FirstKey.of(service, records, "alice");
    UserKey key = first.key();

    assertThat(key.wrapped().ref()).isEqualTo("vault:transit/dropzone:v1");
    assertThat(key.wrapped().text()).startsWith("vault:v1:");
    assertThat(records.stored("alice")).isPresent();
    assertThat(roundTrip(key.key().streamingAead(), first.reread(), "hello from alice"))
        .isEqualTo("hello from alice");
    assertThat(vault.server().count("encrypt")).isEqualTo(1);
    assertThat(vault.server().count("decrypt"))
        .as("the check of the new key at its creation, then the read back")
        .isEqualTo(2);
  }

  @Test
  void requestsCarryTokenNamespaceAndTransitJson() throws Exception {
    vault.close();
    vault = VaultTransitProtocolServer.startWithNamespace("kv/transit", TOKEN, "team-a");
    vault.createKey("dropzone", false);
    VaultTransitKeyService service =
        service(
            VaultTransitSettings.of(vault.uri(), "dropzone", TOKEN)
                .withMount("kv/transit")
                .withNamespace("team-a")
                .withHttp(FAST));
    byte[] dataKey = StreamingKeys.newDataKey();

    WrappedKey wrapped = service.wrap(dataKey, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS);
    byte[] unwrapped = service.unwrap(wrapped, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS);

    assertThat(unwrapped).isEqualTo(dataKey);
    RecordedRequest encrypt = vault.server().last("encrypt");
    assertThat(encrypt.path()).isEqualTo("/v1/kv/transit/encrypt/dropzone");
    assertThat(encrypt.header("X-Vault-Token")).isEqualTo(TOKEN);
    assertThat(encrypt.header("X-Vault-Namespace")).isEqualTo("team-a");
    assertThat(encrypt.header("Content-Type")).isEqualTo("application/json");
    assertThat(Base64.getDecoder().decode(encrypt.body().getString("plaintext")))
        .isEqualTo(dataKey);
    assertThat(encrypt.body().fieldNames())
        .as("a format v1 key is wrapped exactly as before, so existing keys still unwrap")
        .containsExactly("plaintext");
    RecordedRequest decrypt = vault.server().last("decrypt");
    assertThat(decrypt.body().fieldNames()).containsExactly("ciphertext");
    assertThat(decrypt.path()).isEqualTo("/v1/kv/transit/decrypt/dropzone");
    assertThat(decrypt.body().getString("ciphertext")).isEqualTo(wrapped.text());
    assertThat(wrapped.ref()).isEqualTo("vault:kv/transit/dropzone:v1");
  }

  @Test
  void retriesA503AndThenSucceeds() throws Exception {
    VaultTransitKeyService service = service();
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey wrapped = service.wrap(dataKey, KeyBinding.user("carol")).get(10, TimeUnit.SECONDS);
    vault.failNext(2, 503, "Vault is sealed");

    byte[] unwrapped = service.unwrap(wrapped, KeyBinding.user("carol")).get(10, TimeUnit.SECONDS);

    assertThat(unwrapped).isEqualTo(dataKey);
    assertThat(vault.server().count("decrypt")).isEqualTo(3);
  }

  @Test
  void keepsAnsweringWith503IsUnavailableAfterTheLastAttempt() throws Exception {
    VaultTransitKeyService service = service();
    WrappedKey wrapped =
        service
            .wrap(StreamingKeys.newDataKey(), KeyBinding.user("carol"))
            .get(10, TimeUnit.SECONDS);
    vault.failNext(10, 503, "Vault is sealed");

    KeyServiceException failure = KeyFailure.of(service.unwrap(wrapped, KeyBinding.user("carol")));

    assertThat(failure.failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(failure.getMessage())
        .contains("vault transit at " + vault.uri(), "'dropzone'", "3 attempts", "HTTP 503")
        .contains("Vault is sealed")
        .doesNotContain(TOKEN);
    assertThat(vault.server().count("decrypt")).isEqualTo(3);
  }

  @Test
  void doesNotRetryA403AndReportsItAsRejected() throws Exception {
    VaultTransitKeyService service = service();
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("dave")).get(10, TimeUnit.SECONDS);
    vault.failNext(1, 403, "permission denied");

    KeyServiceException failure = KeyFailure.of(service.unwrap(wrapped, KeyBinding.user("dave")));

    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
    assertThat(failure.getMessage())
        .contains(vault.uri().toString(), "'dropzone'", "HTTP 403", "permission denied")
        .doesNotContain(TOKEN);
    assertThat(vault.server().count("decrypt")).isEqualTo(1);
  }

  @Test
  void aWrongTokenIsRejectedWithoutRetry() {
    VaultTransitKeyService service =
        service(VaultTransitSettings.of(vault.uri(), "dropzone", "hvs.wrong").withHttp(FAST));

    KeyServiceException failure =
        KeyFailure.of(service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("eve")));

    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
    assertThat(failure.getMessage()).contains("permission denied").doesNotContain("hvs.wrong");
    assertThat(vault.server().count("encrypt")).isEqualTo(1);
  }

  @Test
  void aSlowServerTimesOutAsUnavailable() throws Exception {
    VaultTransitKeyService service =
        service(
            VaultTransitSettings.of(vault.uri(), "dropzone", TOKEN)
                .withHttp(
                    FAST.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(150))
                        .withRetries(2, Duration.ofMillis(5), Duration.ofMillis(10))));
    WrappedKey wrapped =
        service
            .wrap(StreamingKeys.newDataKey(), KeyBinding.user("frank"))
            .get(10, TimeUnit.SECONDS);
    vault.server().delayReplies(Duration.ofSeconds(3));

    KeyServiceException failure = KeyFailure.of(service.unwrap(wrapped, KeyBinding.user("frank")));

    assertThat(failure.failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(failure.getMessage()).contains("timed out", "2 attempts", "'dropzone'");
    assertThat(vault.server().count("decrypt")).isEqualTo(2);
  }

  @Test
  void anUnreachableServerIsUnavailable() throws Exception {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      freePort = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + freePort);
    VaultTransitKeyService service =
        service(VaultTransitSettings.of(nowhere, "dropzone", TOKEN).withHttp(FAST));

    KeyServiceException failure =
        KeyFailure.of(service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("gina")));

    assertThat(failure.failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(failure.getMessage()).contains(nowhere.toString(), "3 attempts");
  }

  @Test
  void hundredConcurrentReadsOfOneKeyMakeOneDecryptRequest() throws Exception {
    SingleFlight.assertOneUnwrapForConcurrentReads(service(), vault.server(), "decrypt", "hank");
  }

  @Test
  void talksHttpsToAServerSignedByTheConfiguredCaBundleOnly(@TempDir Path directory)
      throws Exception {
    TestCertificate certificate = TestCertificate.forLoopback("dropzone test key service");
    Path caBundle = certificate.writeCertificatePem(directory.resolve("vault-ca.pem"));
    try (VaultTransitProtocolServer tls =
        VaultTransitProtocolServer.startTls("transit", TOKEN, certificate.serverOptions())) {
      VaultTransitKeyService trusting =
          service(
              VaultTransitSettings.of(tls.uri(), "dropzone", TOKEN)
                  .withHttp(FAST.withCaBundle(caBundle)));
      VaultTransitKeyService untrusting =
          service(
              VaultTransitSettings.of(tls.uri(), "dropzone", TOKEN)
                  .withHttp(FAST.withRetries(1, Duration.ofMillis(5), Duration.ofMillis(5))));
      byte[] dataKey = StreamingKeys.newDataKey();

      WrappedKey wrapped =
          trusting.wrap(dataKey, KeyBinding.user("olga")).get(10, TimeUnit.SECONDS);
      KeyServiceException refused =
          KeyFailure.of(untrusting.wrap(dataKey, KeyBinding.user("olga")));

      assertThat(tls.uri().getScheme()).isEqualTo("https");
      assertThat(trusting.unwrap(wrapped, KeyBinding.user("olga")).get(10, TimeUnit.SECONDS))
          .isEqualTo(dataKey);
      assertThat(refused.failure()).isEqualTo(Failure.UNAVAILABLE);
      assertThat(refused.getMessage()).contains(tls.uri().toString());
      assertThat(tls.server().count("encrypt")).isEqualTo(1);
    }
  }

  @Test
  void noMoreRequestsInFlightThanTheLimit() throws Exception {
    VaultTransitKeyService service =
        service(
            VaultTransitSettings.of(vault.uri(), "dropzone", TOKEN)
                .withHttp(FAST.withMaxInFlight(2)));
    List<WrappedKey> keys = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      keys.add(
          service
              .wrap(StreamingKeys.newDataKey(), KeyBinding.user("user" + i))
              .get(10, TimeUnit.SECONDS));
    }
    vault.server().delayReplies(Duration.ofMillis(50));

    List<CompletableFuture<byte[]>> unwraps = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      unwraps.add(service.unwrap(keys.get(i), KeyBinding.user("user" + i)));
    }
    CompletableFuture.allOf(unwraps.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(vault.server().count("decrypt")).isEqualTo(8);
    assertThat(vault.server().maxInFlight()).isBetween(1, 2);
  }

  @Test
  void afterRotationNewWrapsCarryV2AndOldV1StillUnwraps() throws Exception {
    VaultTransitKeyService service = service();
    byte[] first = StreamingKeys.newDataKey();
    WrappedKey old = service.wrap(first, KeyBinding.user("ivy")).get(10, TimeUnit.SECONDS);
    vault.rotate("dropzone");

    byte[] second = StreamingKeys.newDataKey();
    WrappedKey fresh = service.wrap(second, KeyBinding.user("ivy")).get(10, TimeUnit.SECONDS);

    assertThat(old.ref()).isEqualTo("vault:transit/dropzone:v1");
    assertThat(fresh.ref()).isEqualTo("vault:transit/dropzone:v2");
    assertThat(fresh.text()).startsWith("vault:v2:");
    assertThat(service.unwrap(old, KeyBinding.user("ivy")).get(10, TimeUnit.SECONDS))
        .isEqualTo(first);
    assertThat(service.unwrap(fresh, KeyBinding.user("ivy")).get(10, TimeUnit.SECONDS))
        .isEqualTo(second);
  }

  @Test
  void rewrapTurnsAV1WrapIntoV2WithoutChangingTheKey() throws Exception {
    VaultTransitKeyService service = service();
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey old = service.wrap(dataKey, KeyBinding.user("jack")).get(10, TimeUnit.SECONDS);
    vault.rotate("dropzone");

    WrappedKey rewrapped = service.rewrap(old, KeyBinding.user("jack")).get(10, TimeUnit.SECONDS);

    assertThat(rewrapped.ref()).isEqualTo("vault:transit/dropzone:v2");
    assertThat(rewrapped.text()).startsWith("vault:v2:").isNotEqualTo(old.text());
    assertThat(vault.server().last("rewrap").body().getString("ciphertext")).isEqualTo(old.text());
    assertThat(service.unwrap(rewrapped, KeyBinding.user("jack")).get(10, TimeUnit.SECONDS))
        .isEqualTo(dataKey);
  }

  @Test
  void aDerivedKeyBindsTheUser() throws Exception {
    vault.createKey("per-user", true);
    VaultTransitKeyService service =
        service(
            VaultTransitSettings.of(vault.uri(), "per-user", TOKEN)
                .withDerived(true)
                .withHttp(FAST));
    byte[] dataKey = StreamingKeys.newDataKey();
    WrappedKey wrapped = service.wrap(dataKey, KeyBinding.user("kate")).get(10, TimeUnit.SECONDS);

    assertThat(
            new String(
                Base64.getDecoder()
                    .decode(vault.server().last("encrypt").body().getString("context")),
                StandardCharsets.UTF_8))
        .isEqualTo("dropzone:user:kate");
    assertThat(service.unwrap(wrapped, KeyBinding.user("kate")).get(10, TimeUnit.SECONDS))
        .isEqualTo(dataKey);
    KeyServiceException failure =
        KeyFailure.of(service.unwrap(wrapped, KeyBinding.user("mallory")));
    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
    assertThat(failure.getMessage()).contains("HTTP 400", "message authentication failed");
  }

  @Test
  void formatV2KeysCarryTheKeyDomainAsAssociatedData() throws Exception {
    VaultTransitKeyService service = service();

    WrappedKey wrapped = DomainBinding.assertHeldBy(service);

    RecordedRequest encrypt = vault.server().requests("encrypt").get(0);
    assertThat(encrypt.body().fieldNames())
        .containsExactlyInAnyOrder("plaintext", "associated_data");
    assertThat(decoded(encrypt.body().getString("associated_data")))
        .isEqualTo("dropzone/kek/v2:users/alice");
    RecordedRequest decrypt = vault.server().requests("decrypt").get(0);
    assertThat(decrypt.body().getString("ciphertext")).isEqualTo(wrapped.text());
    assertThat(decoded(decrypt.body().getString("associated_data")))
        .isEqualTo("dropzone/kek/v2:users/alice");
    assertThat(KeyFailure.of(service.unwrap(wrapped, KeyBinding.domain("users/bob"))).getMessage())
        .contains("HTTP 400", "message authentication failed");
  }

  @Test
  void aDerivedKeyBindsTheKeyDomainAsDerivationContext() throws Exception {
    vault.createKey("per-domain", true);
    VaultTransitKeyService service =
        service(
            VaultTransitSettings.of(vault.uri(), "per-domain", TOKEN)
                .withDerived(true)
                .withHttp(FAST));

    DomainBinding.assertHeldBy(service);

    RecordedRequest encrypt = vault.server().requests("encrypt").get(0);
    assertThat(encrypt.body().fieldNames()).containsExactlyInAnyOrder("plaintext", "context");
    assertThat(decoded(encrypt.body().getString("context")))
        .isEqualTo("dropzone:domain:users/alice");
  }

  @Test
  void aFormatV2KeyIsRewrappedAsDecryptAndEncryptBecauseRewrapTakesNoAssociatedData()
      throws Exception {
    VaultTransitKeyService service = service();
    byte[] dataKey = StreamingKeys.newDataKey();
    KeyBinding alice = KeyBinding.domain("users/alice");
    WrappedKey old = service.wrap(dataKey, alice).get(10, TimeUnit.SECONDS);
    vault.rotate("dropzone");

    WrappedKey rewrapped = service.rewrap(old, alice).get(10, TimeUnit.SECONDS);

    assertThat(rewrapped.ref()).isEqualTo("vault:transit/dropzone:v2");
    assertThat(vault.server().count("rewrap")).isZero();
    assertThat(decoded(vault.server().last("encrypt").body().getString("associated_data")))
        .isEqualTo("dropzone/kek/v2:users/alice");
    assertThat(service.unwrap(rewrapped, alice).get(10, TimeUnit.SECONDS)).isEqualTo(dataKey);
    assertThat(KeyFailure.of(service.unwrap(rewrapped, KeyBinding.domain("users/bob"))).failure())
        .isEqualTo(Failure.REJECTED);
  }

  @Test
  void aDerivedFormatV2KeyIsRewrappedInsideVault() throws Exception {
    vault.createKey("per-domain", true);
    VaultTransitKeyService service =
        service(
            VaultTransitSettings.of(vault.uri(), "per-domain", TOKEN)
                .withDerived(true)
                .withHttp(FAST));
    byte[] dataKey = StreamingKeys.newDataKey();
    KeyBinding alice = KeyBinding.domain("users/alice");
    WrappedKey old = service.wrap(dataKey, alice).get(10, TimeUnit.SECONDS);
    vault.rotate("per-domain");

    WrappedKey rewrapped = service.rewrap(old, alice).get(10, TimeUnit.SECONDS);

    assertThat(rewrapped.ref()).isEqualTo("vault:transit/per-domain:v2");
    assertThat(vault.server().count("decrypt")).isZero();
    assertThat(decoded(vault.server().last("rewrap").body().getString("context")))
        .isEqualTo("dropzone:domain:users/alice");
    assertThat(service.unwrap(rewrapped, alice).get(10, TimeUnit.SECONDS)).isEqualTo(dataKey);
  }

  @Test
  void theProtocolServerTreatsAssociatedDataAsVaultDoes() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String aad = Base64.getEncoder().encodeToString("bound".getBytes(StandardCharsets.UTF_8));
    JsonObject encrypted =
        post(
            http, "encrypt", new JsonObject().put("plaintext", "AAAA").put("associated_data", aad));
    String ciphertext = encrypted.getJsonObject("data").getString("ciphertext");

    JsonObject withAad =
        post(
            http,
            "decrypt",
            new JsonObject().put("ciphertext", ciphertext).put("associated_data", aad));
    JsonObject withoutAad = post(http, "decrypt", new JsonObject().put("ciphertext", ciphertext));
    JsonObject rewrap =
        post(
            http,
            "rewrap",
            new JsonObject().put("ciphertext", ciphertext).put("associated_data", aad));
    JsonObject badBase64 =
        post(
            http, "encrypt", new JsonObject().put("plaintext", "AAAA").put("associated_data", "*"));

    assertThat(withAad.getJsonObject("data").getString("plaintext")).isEqualTo("AAAA");
    assertThat(withoutAad.getJsonArray("errors").getString(0))
        .isEqualTo("cipher: message authentication failed");
    assertThat(rewrap.getJsonArray("errors").getString(0))
        .as("rewrap takes no associated_data")
        .isEqualTo("cipher: message authentication failed");
    assertThat(badBase64.getJsonArray("errors").getString(0)).contains("associated_data");
  }

  private JsonObject post(HttpClient http, String operation, JsonObject body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(vault.uri().resolve("/v1/transit/" + operation + "/dropzone"))
                .header("X-Vault-Token", TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new JsonObject(response.body());
  }

  private static String decoded(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  @Test
  void aTamperedCiphertextIsRejectedByVault() throws Exception {
    VaultTransitKeyService service = service();
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("liam")).get(10, TimeUnit.SECONDS);
    String text = wrapped.text();
    char last = text.charAt(text.length() - 3);
    WrappedKey tampered =
        new WrappedKey(
            wrapped.ref(),
            text.substring(0, text.length() - 3)
                + (last == 'A' ? 'B' : 'A')
                + text.substring(text.length() - 2));

    KeyServiceException failure = KeyFailure.of(service.unwrap(tampered, KeyBinding.user("liam")));

    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
    assertThat(vault.server().count("decrypt")).isEqualTo(1);
  }

  @Test
  void malformedOrForeignWrapsFailWithoutAsking() {
    VaultTransitKeyService service = service();

    KeyFailure.ofUnwrap(service, "vault:transit/dropzone:v1", "garbage", Failure.INVALID);
    KeyFailure.ofUnwrap(service, "vault:transit/dropzone:v2", "vault:v1:AAAA", Failure.INVALID);
    assertThat(KeyFailure.ofUnwrap(service, "kms:alias/x", "AAAA", Failure.REJECTED).getMessage())
        .contains("'kms'");
    KeyFailure.ofUnwrap(service, "vault:transit/old:v1", "vault:v1:AAAA", Failure.REJECTED);
    assertThat(vault.server().count("decrypt")).isZero();
  }

  @Test
  void settingsNeverPrintTheToken() {
    assertThat(VaultTransitSettings.of(vault.uri(), "dropzone", TOKEN).toString())
        .doesNotContain(TOKEN);
  }

  private static String roundTrip(StreamingAead writer, StreamingAead reader, String text)
      throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    byte[] aad = "dropzone/v1".getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = writer.newEncryptingStream(sink, aad)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    try (InputStream in =
        reader.newDecryptingStream(new ByteArrayInputStream(sink.toByteArray()), aad)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
