package dev.dropzone.kek.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.kms.KmsKeyService;
import dev.dropzone.kek.kms.KmsSettings;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Plain HTTP to a key service is refused unless it stays on this machine or is allowed. */
class PlainHttpTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://vault.example:8200",
        "https://10.0.0.5",
        "http://127.0.0.1:8200",
        "http://127.20.30.40:8200",
        "http://localhost:4566",
        "http://LOCALHOST:4566",
        "http://[::1]:8200/prefix"
      })
  void tlsOrThisMachineNeedsNoPermission(String url) {
    assertThat(PlainHttp.refusal(URI.create(url))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://vault.example:8200",
        "http://10.0.0.5:8200",
        "http://[fd00::5]:8200",
        "http://localstack:4566",
        "http://localhost.attacker.example",
        "http://127.0.0.1.nip.example"
      })
  void plainHttpToAnotherMachineIsRefusedSayingWhyAndWhatToSet(String url) {
    assertThat(PlainHttp.refusal(URI.create(url)))
        .hasValueSatisfying(
            reason ->
                assertThat(reason)
                    .startsWith(url + " is plain http://")
                    .contains("not this machine", "every data key", "keys.http.allowInsecure"));
  }

  @Test
  void httpClientsRefuseToOpenUnlessAllowed() {
    URI vault = URI.create("http://vault.example:8200");

    assertThatThrownBy(() -> JsonEndpoint.open(vault, HttpSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keys.http.allowInsecure");
    try (JsonEndpoint allowed =
        JsonEndpoint.open(vault, HttpSettings.defaults().withPlainHttpAllowed(true))) {
      assertThat(allowed.address()).isEqualTo("http://vault.example:8200");
    }
  }

  @Test
  void theKmsClientRefusesAPlainHttpEndpointOverrideUnlessAllowed() {
    KmsSettings localstack =
        KmsSettings.of("alias/dropzone", "us-east-1")
            .withEndpoint(URI.create("http://localstack:4566"));

    assertThatThrownBy(() -> KmsKeyService.open(localstack))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://localstack:4566 is plain http://");
    KmsKeyService.open(localstack.withHttp(HttpSettings.defaults().withPlainHttpAllowed(true)))
        .close();
  }
}
