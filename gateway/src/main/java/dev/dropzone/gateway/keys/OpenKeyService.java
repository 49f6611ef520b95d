package dev.dropzone.gateway.keys;

import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.eaas.EaasKeyService;
import dev.dropzone.kek.kms.KmsKeyService;
import dev.dropzone.kek.local.LocalKeyService;
import dev.dropzone.kek.pkcs11.Pkcs11KeyService;
import dev.dropzone.kek.vault.VaultTransitKeyService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key service opened from its {@link KeyProvider}, together with whatever must be released when
 * the gateway or a command is done with it (HTTP clients, the PKCS#11 session).
 */
public final class OpenKeyService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OpenKeyService.class);

  private final KeyService service;
  private final AutoCloseable resources;

  private OpenKeyService(KeyService service, AutoCloseable resources) {
    this.service = service;
    this.resources = resources;
  }

  /**
   * Opens the configured provider.
   *
   * @throws KeyServiceException when the provider cannot be opened (missing or unreadable keyset,
   *     token not found, wrong PIN)
   */
  public static OpenKeyService open(KeyProvider provider) throws KeyServiceException {
    // Java 17 has no pattern switch; the interface is sealed, so this chain is complete.
    if (provider instanceof KeyProvider.Local local) {
      // Never creates the keyset: that is 'keys init' (or embedded mode) and nothing else.
      return new OpenKeyService(LocalKeyService.openExisting(local.keysetFile()), () -> {});
    }
    if (provider instanceof KeyProvider.Vault vault) {
      VaultTransitKeyService service = VaultTransitKeyService.open(vault.settings());
      return new OpenKeyService(service, service);
    }
    if (provider instanceof KeyProvider.Eaas eaas) {
      EaasKeyService service = EaasKeyService.open(eaas.settings());
      return new OpenKeyService(service, service);
    }
    if (provider instanceof KeyProvider.Kms kms) {
      KmsKeyService service = KmsKeyService.open(kms.settings());
      return new OpenKeyService(service, service);
    }
    Pkcs11KeyService service = Pkcs11KeyService.open(((KeyProvider.Pkcs11) provider).settings());
    return new OpenKeyService(service, service);
  }

  public KeyService service() {
    return service;
  }

  @Override
  public void close() {
    try {
      resources.close();
    } catch (Exception e) {
      // Closing only releases clients; nothing is lost if that fails at shutdown.
      LOG.warn("Key service {} did not close cleanly: {}", service.masterKeyId(), e.toString());
    }
  }
}
