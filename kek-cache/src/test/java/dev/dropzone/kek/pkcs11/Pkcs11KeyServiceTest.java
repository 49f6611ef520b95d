package dev.dropzone.kek.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.UserKey;
import dev.dropzone.kek.WrappedKey;
import dev.dropzone.kek.testing.DomainBinding;
import dev.dropzone.kek.testing.FirstKey;
import dev.dropzone.kek.testing.KeyFailure;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pkcs11KeyServiceTest {

  private static final String KEY = "dropzone-master";

  @TempDir static Path tokens;

  private static SoftHsmToken token;
  // PKCS#11 login state is shared by all sessions of a process: once the first token is logged in,
  // a second login there succeeds whatever the PIN. Wrong PINs are tried on a token nobody uses.
  private static SoftHsmToken untouched;
  private static Pkcs11KeyService service;

  @BeforeAll
  static void createToken() throws Exception {
    token = SoftHsmToken.create(tokens, "dropzone", KEY);
    untouched = SoftHsmToken.create(tokens, "untouched", KEY);
    service = Pkcs11KeyService.open(settings(SoftHsmToken.PIN, KEY));
  }

  @AfterAll
  static void close() {
    if (service != null) {
      service.close();
    }
  }

  private static Pkcs11Settings settings(String pin, String keyLabel) {
    return Pkcs11Settings.inSlot(SoftHsmToken.LIBRARY, token.slot(), pin.toCharArray(), keyLabel);
  }

  @Test
  void userKeysCreateAndReadBackAKeyWrappedInsideTheToken() throws Exception {
    FirstKey first = FirstKey.of(service, "alice");
    UserKey key = first.key();

    assertThat(key.wrapped().ref()).isEqualTo("pkcs11:" + KEY);
    assertThat(Base64.getDecoder().decode(key.wrapped().text())).hasSize(12 + 32 + 16);
    assertThat(first.reread()).isNotNull();
  }

  @Test
  void unwrapReturnsTheKeyThatWasWrapped() throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();

    WrappedKey wrapped = service.wrap(dataKey, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS);

    assertThat(service.unwrap(wrapped, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS))
        .isEqualTo(dataKey);
    assertThat(service.wrap(dataKey, KeyBinding.user("bob")).get(10, TimeUnit.SECONDS).text())
        .as("a fresh IV per wrap")
        .isNotEqualTo(wrapped.text());
  }

  @Test
  void aKeyWrappedForOneUserDoesNotUnwrapForAnother() throws Exception {
    KeyServiceException failure = KeyFailure.ofAnotherUser(service);

    assertThat(failure.getMessage()).contains("'" + KEY + "'", "does not authenticate");
  }

  @Test
  void aKeyWrappedForAKeyDomainUnwrapsOnlyForThatDomain() throws Exception {
    WrappedKey wrapped = DomainBinding.assertHeldBy(service);

    assertThat(wrapped.ref()).isEqualTo("pkcs11:" + KEY);
    assertThat(KeyFailure.of(service.unwrap(wrapped, KeyBinding.domain("users/bob"))).getMessage())
        .contains("does not authenticate");
  }

  @Test
  void aTamperedWrapIsRejected() throws Exception {
    WrappedKey wrapped =
        service.wrap(StreamingKeys.newDataKey(), KeyBinding.user("dave")).get(10, TimeUnit.SECONDS);
    byte[] bytes = Base64.getDecoder().decode(wrapped.text());
    bytes[20] ^= 1;

    KeyServiceException failure =
        KeyFailure.of(
            service.unwrap(
                new WrappedKey(wrapped.ref(), Base64.getEncoder().encodeToString(bytes)),
                KeyBinding.user("dave")));

    assertThat(failure.failure()).isEqualTo(Failure.REJECTED);
  }

  @Test
  void malformedOrForeignWrapsFailWithoutTouchingTheToken() {
    KeyFailure.ofUnwrap(service, "pkcs11:" + KEY, "***", Failure.INVALID);
    KeyFailure.ofUnwrap(service, "pkcs11:" + KEY, "AAAA", Failure.INVALID);
    KeyFailure.ofUnwrap(service, "pkcs11:other", "AAAA", Failure.REJECTED);
  }

  @Test
  void aWrongPinIsRejectedWithoutRevealingIt() {
    Pkcs11Settings wrongPin =
        Pkcs11Settings.inSlot(
            SoftHsmToken.LIBRARY, untouched.slot(), "wrong-pin-1234".toCharArray(), KEY);

    assertThatThrownBy(() -> Pkcs11KeyService.open(wrongPin))
        .isInstanceOfSatisfying(
            KeyServiceException.class,
            e -> {
              assertThat(e.failure()).isEqualTo(Failure.REJECTED);
              assertThat(e.getMessage())
                  .contains("login failed", "PIN")
                  .doesNotContain("wrong-pin-1234");
            });
  }

  @Test
  void anUnknownKeyLabelIsRejected() {
    assertThatThrownBy(() -> Pkcs11KeyService.open(settings(SoftHsmToken.PIN, "no-such-key")))
        .isInstanceOfSatisfying(
            KeyServiceException.class,
            e -> {
              assertThat(e.failure()).isEqualTo(Failure.REJECTED);
              assertThat(e.getMessage()).contains("'no-such-key'", "no AES secret key");
            });
  }

  @Test
  void aMissingLibraryIsUnavailable() {
    Pkcs11Settings missing =
        Pkcs11Settings.atIndex(
            Path.of("/nonexistent/libpkcs11.so"), 0, SoftHsmToken.PIN.toCharArray(), KEY);

    assertThatThrownBy(() -> Pkcs11KeyService.open(missing))
        .isInstanceOfSatisfying(
            KeyServiceException.class,
            e -> {
              assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE);
              assertThat(e.getMessage()).contains("/nonexistent/libpkcs11.so", "does not exist");
            });
  }

  @Test
  void settingsNeverPrintThePin() {
    assertThat(settings(SoftHsmToken.PIN, KEY).toString()).doesNotContain(SoftHsmToken.PIN);
  }
}
