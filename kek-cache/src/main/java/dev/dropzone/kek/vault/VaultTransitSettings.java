package dev.dropzone.kek.vault;

import dev.dropzone.kek.http.HttpSettings;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the Vault (or OpenBao) Transit key lives and how to reach it.
 *
 * @param address the server, e.g. {@code https://vault.example:8200}
 * @param mount the Transit engine's mount path, usually {@code transit}
 * @param key the Transit key name
 * @param token the Vault token, sent as {@code X-Vault-Token}; the config layer reads it from the
 *     environment or a file
 * @param namespace the Vault Enterprise / OpenBao namespace, sent as {@code X-Vault-Namespace}
 * @param derived true if the key was created with {@code derived=true}: the user name is then sent
 *     as the key derivation context, so each user's keys are wrapped under a key of their own
 * @param http timeouts, retries, concurrency and the CA bundle
 */
public record VaultTransitSettings(
    URI address,
    String mount,
    String key,
    String token,
    Optional<String> namespace,
    boolean derived,
    HttpSettings http) {

  public VaultTransitSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(http, "http");
    mount = name("mount", mount).replaceAll("^/+|/+$", "");
    if (name("key", key).contains("/")) {
      throw new IllegalArgumentException("vault transit key name must not contain '/': " + key);
    }
    if (token.isBlank()) {
      throw new IllegalArgumentException("vault token is empty");
    }
  }

  /** The usual case: mount {@code transit}, no namespace, a non-derived key, default HTTP. */
  public static VaultTransitSettings of(URI address, String key, String token) {
    return new VaultTransitSettings(
        address, "transit", key, token, Optional.empty(), false, HttpSettings.defaults());
  }

  public VaultTransitSettings withMount(String newMount) {
    return new VaultTransitSettings(address, newMount, key, token, namespace, derived, http);
  }

  public VaultTransitSettings withNamespace(String newNamespace) {
    return new VaultTransitSettings(
        address, mount, key, token, Optional.of(newNamespace), derived, http);
  }

  public VaultTransitSettings withDerived(boolean newDerived) {
    return new VaultTransitSettings(address, mount, key, token, namespace, newDerived, http);
  }

  public VaultTransitSettings withHttp(HttpSettings newHttp) {
    return new VaultTransitSettings(address, mount, key, token, namespace, derived, newHttp);
  }

  private static String name(String what, String value) {
    Objects.requireNonNull(value, what);
    if (value.isBlank() || !value.matches("[A-Za-z0-9._/-]+")) {
      throw new IllegalArgumentException(
          "vault transit " + what + " must be letters, digits, '.', '_', '-' or '/': " + value);
    }
    return value;
  }

  @Override
  public String toString() {
    // The token must never reach a log line through a settings dump.
    return "VaultTransitSettings[address="
        + address
        + ", mount="
        + mount
        + ", key="
        + key
        + ", namespace="
        + namespace.orElse("-")
        + ", derived="
        + derived
        + ", token=***]";
  }
}
