package dev.dropzone.kek;

import com.google.crypto.tink.StreamingAead;
import java.util.Objects;

/**
 * A user's current data key, ready to encrypt: the wrapped form goes into each new object's
 * metadata, the primitive encrypts its body.
 */
public record UserKey(String user, WrappedKey wrapped, StreamingAead aead) {
  public UserKey {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(wrapped, "wrapped");
    Objects.requireNonNull(aead, "aead");
  }
}
