package dev.dropzone.kek.pkcs11;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Which HSM token and key wrap user keys.
 *
 * <p>The token is chosen by slot id or, without one, by its index in the library's slot list: the
 * JDK's PKCS#11 provider has no way to select a token by label. {@code softhsm2-util --show-slots}
 * or {@code pkcs11-tool -L} print the slot ids.
 *
 * @param library the vendor's PKCS#11 library, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
 * @param slot the slot id of the token
 * @param slotListIndex the token's index in the slot list, used when {@code slot} is empty
 * @param pin the user PIN; the config layer reads it from the environment or a file
 * @param keyLabel the CKA_LABEL of the AES-256 secret key on the token
 * @param maxConcurrent operations on the token at once
 */
public record Pkcs11Settings(
    Path library,
    OptionalLong slot,
    int slotListIndex,
    char[] pin,
    String keyLabel,
    int maxConcurrent) {

  public Pkcs11Settings {
    Objects.requireNonNull(library, "library");
    Objects.requireNonNull(slot, "slot");
    Objects.requireNonNull(pin, "pin");
    Objects.requireNonNull(keyLabel, "keyLabel");
    if (slotListIndex < 0) {
      throw new IllegalArgumentException("slotListIndex must not be negative: " + slotListIndex);
    }
    if (!keyLabel.matches("[\\x21-\\x7e]{1,200}")) {
      throw new IllegalArgumentException(
          "PKCS#11 key label must be 1-200 printable characters without spaces: " + keyLabel);
    }
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be at least 1: " + maxConcurrent);
    }
  }

  /** The token in slot {@code slot}. */
  public static Pkcs11Settings inSlot(Path library, long slot, char[] pin, String keyLabel) {
    return new Pkcs11Settings(library, OptionalLong.of(slot), 0, pin, keyLabel, 4);
  }

  /** The token at {@code index} in the slot list. */
  public static Pkcs11Settings atIndex(Path library, int index, char[] pin, String keyLabel) {
    return new Pkcs11Settings(library, OptionalLong.empty(), index, pin, keyLabel, 4);
  }

  /** The SunPKCS11 configuration text for this token. */
  String providerConfig(String name) {
    String selection =
        slot.isPresent() ? "slot = " + slot.getAsLong() : "slotListIndex = " + slotListIndex;
    return "name = " + name + "\nlibrary = " + library + "\n" + selection + "\n";
  }

  /** Slot or index, for messages. */
  String tokenDescription() {
    return slot.isPresent() ? "slot " + slot.getAsLong() : "slot list index " + slotListIndex;
  }

  @Override
  public String toString() {
    // The PIN must never reach a log line through a settings dump.
    return "Pkcs11Settings[library="
        + library
        + ", "
        + tokenDescription()
        + ", keyLabel="
        + keyLabel
        + ", pin=***]";
  }
}
