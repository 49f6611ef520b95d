package dev.dropzone.gateway.keys;

import dev.dropzone.kek.eaas.EaasSettings;
import dev.dropzone.kek.kms.KmsSettings;
import dev.dropzone.kek.pkcs11.Pkcs11Settings;
import dev.dropzone.kek.vault.VaultTransitSettings;
import java.nio.file.Path;

/** The key service chosen by {@code keys.provider}, with the settings it needs. */
public sealed interface KeyProvider {

  /** The name used in {@code keys.provider} and in the provider part of {@code dz-key-ref}. */
  String name();

  /** Where its settings live in the configuration, for messages that say what to check. */
  default String configKeys() {
    return "keys." + name() + ".*";
  }

  /** A Tink keyset file on local disk (embedded mode, single host). */
  record Local(Path keysetFile) implements KeyProvider {
    @Override
    public String name() {
      return "local";
    }

    @Override
    public String configKeys() {
      return "keys.keysetFile";
    }
  }

  /** A Vault or OpenBao Transit key. */
  record Vault(VaultTransitSettings settings) implements KeyProvider {
    @Override
    public String name() {
      return "vault";
    }
  }

  /** The EaaS HTTP API's RSA key pair. */
  record Eaas(EaasSettings settings) implements KeyProvider {
    @Override
    public String name() {
      return "eaas";
    }
  }

  /** An AWS KMS key. */
  record Kms(KmsSettings settings) implements KeyProvider {
    @Override
    public String name() {
      return "kms";
    }
  }

  /** An AES key inside a PKCS#11 token (HSM). */
  record Pkcs11(Pkcs11Settings settings) implements KeyProvider {
    @Override
    public String name() {
      return "pkcs11";
    }
  }
}
