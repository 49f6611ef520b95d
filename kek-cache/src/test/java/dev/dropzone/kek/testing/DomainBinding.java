package dev.dropzone.kek.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.kek.KeyBinding;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import dev.dropzone.kek.StreamingKeys;
import dev.dropzone.kek.WrappedKey;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The format v2 binding every provider must keep: a key wrapped for a key domain unwraps for that
 * domain only — not for another domain, not for a domain that differs by a trailing slash, and not
 * for a v1 user binding spelled like the domain (nor the other way round).
 */
public final class DomainBinding {

  private DomainBinding() {}

  /** Asserts the binding on {@code service}; returns the wrapped key for further checks. */
  public static WrappedKey assertHeldBy(KeyService service) throws Exception {
    byte[] dataKey = StreamingKeys.newDataKey();
    KeyBinding alice = KeyBinding.domain("users/alice");

    WrappedKey wrapped = service.wrap(dataKey, alice).get(10, TimeUnit.SECONDS);

    assertThat(service.unwrap(wrapped, alice).get(10, TimeUnit.SECONDS)).isEqualTo(dataKey);
    for (KeyBinding other :
        List.of(
            KeyBinding.domain("users/bob"),
            KeyBinding.domain("users/alice/"),
            KeyBinding.user("users/alice"),
            KeyBinding.user("alice"))) {
      assertRefused(service, wrapped, other);
    }
    WrappedKey v1 = service.wrap(dataKey, KeyBinding.user("users/alice")).get(10, TimeUnit.SECONDS);
    assertRefused(service, v1, alice);
    return wrapped;
  }

  private static void assertRefused(KeyService service, WrappedKey wrapped, KeyBinding other) {
    KeyServiceException failure = KeyFailure.of(service.unwrap(wrapped, other));
    assertThat(failure.failure()).as(failure.getMessage()).isEqualTo(Failure.REJECTED);
    assertThat(failure.getMessage()).as("the refusal names the binding").contains(other.toString());
  }
}
