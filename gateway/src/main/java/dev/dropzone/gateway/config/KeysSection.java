package dev.dropzone.gateway.config;

import dev.dropzone.gateway.keys.KeyProvider;
import dev.dropzone.kek.eaas.EaasSettings;
import dev.dropzone.kek.http.ClientCertificate;
import dev.dropzone.kek.http.HttpSettings;
import dev.dropzone.kek.http.PlainHttp;
import dev.dropzone.kek.kms.KmsSettings;
import dev.dropzone.kek.pkcs11.Pkcs11Settings;
import dev.dropzone.kek.vault.VaultTransitSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Validates the {@code keys} section into the {@link KeyProvider} it selects. Only the selected
 * provider's sub-section is checked, so the defaults of the others never get in the way.
 */
final class KeysSection {

  static final Set<String> PROVIDERS = Set.of("local", "vault", "eaas", "kms", "pkcs11");

  /** Operations on the token at once; SoftHSM and network HSMs serialise beyond a few. */
  private static final int PKCS11_MAX_CONCURRENT = 4;

  private KeysSection() {}

  /** The selected provider, or null when a problem was recorded. */
  static KeyProvider provider(
      DropzoneConfig.Keys keys, String s3Region, Path baseDir, Problems problems) {
    String provider = keys.provider();
    if (!problems.check(
        provider != null && PROVIDERS.contains(provider),
        "keys.provider",
        provider,
        "is not a key provider; use one of local, vault, eaas, kms, pkcs11")) {
      return null;
    }
    HttpSettings http = http(keys.http(), problems);
    boolean insecure = keys.http().allowInsecure();
    try {
      return switch (provider) {
        case "local" -> local(keys, baseDir, problems);
        case "vault" -> vault(keys.vault(), http, insecure, baseDir, problems);
        case "eaas" -> eaas(keys.eaas(), http, insecure, baseDir, problems);
        case "kms" -> kms(keys.kms(), s3Region, http, insecure, problems);
        default -> pkcs11(keys.pkcs11(), baseDir, problems);
      };
    } catch (IllegalArgumentException e) {
      // The provider's own settings check found what the checks here did not anticipate.
      problems.add("keys." + provider, e.getMessage());
      return null;
    }
  }

  private static KeyProvider local(DropzoneConfig.Keys keys, Path baseDir, Problems problems) {
    if (blank(keys.keysetFile())) {
      problems.add("keys.keysetFile", "is required with the 'local' provider");
      return null;
    }
    return new KeyProvider.Local(baseDir.resolve(keys.keysetFile()));
  }

  private static KeyProvider vault(
      DropzoneConfig.Vault c,
      HttpSettings http,
      boolean insecure,
      Path baseDir,
      Problems problems) {
    URI address = url(problems, "keys.vault.address", c.address(), insecure);
    required(problems, "keys.vault.key", c.key(), "the Transit key name");
    required(problems, "keys.vault.mount", c.mount(), "the Transit mount path");
    boolean hasToken = c.token() != null && !c.token().isEmpty();
    if (!hasToken) {
      problems.add(
          "keys.vault.token",
          "is required with the 'vault' provider: set DROPZONE_KEYS_VAULT_TOKEN, or"
              + " DROPZONE_KEYS_VAULT_TOKEN_FILE naming a file that holds it");
    }
    Path ca = readable(problems, "keys.vault.caBundle", c.caBundle(), baseDir);
    if (address == null || blank(c.key()) || blank(c.mount()) || !hasToken || http == null) {
      return null;
    }
    VaultTransitSettings settings =
        new VaultTransitSettings(
            address,
            c.mount(),
            c.key(),
            c.token().reveal(),
            blank(c.namespace()) ? Optional.empty() : Optional.of(c.namespace()),
            c.derived(),
            ca == null ? http : http.withCaBundle(ca));
    return new KeyProvider.Vault(settings);
  }

  private static KeyProvider eaas(
      DropzoneConfig.Eaas c, HttpSettings http, boolean insecure, Path baseDir, Problems problems) {
    URI url = url(problems, "keys.eaas.url", c.url(), insecure);
    required(problems, "keys.eaas.secretPath", c.secretPath(), "the secret_path of the RSA key");
    boolean versions =
        problems.check(
                c.secretVersion() >= 0, "keys.eaas.secretVersion", c.secretVersion(), "must be ≥ 0")
            & problems.check(
                c.minSecretVersion() >= 0 && c.minSecretVersion() <= c.secretVersion(),
                "keys.eaas.minSecretVersion",
                c.minSecretVersion(),
                "must be between 0 and keys.eaas.secretVersion (" + c.secretVersion() + ")");
    Path ca = readable(problems, "keys.eaas.caBundle", c.caBundle(), baseDir);
    boolean hasToken = c.token() != null && !c.token().isEmpty();
    boolean wantsCertificate = !blank(c.clientCertificate()) || !blank(c.clientKey());
    ClientCertificate certificate =
        wantsCertificate ? clientCertificate(c, url, baseDir, problems) : null;
    if (!hasToken && !wantsCertificate) {
      problems.add(
          "keys.eaas.token",
          "is required unless a client certificate is set: the EaaS API refuses anonymous"
              + " requests. Set DROPZONE_KEYS_EAAS_TOKEN_FILE (or DROPZONE_KEYS_EAAS_TOKEN) to"
              + " the API token, and/or keys.eaas.clientCertificate with keys.eaas.clientKey");
    }
    if (url == null
        || blank(c.secretPath())
        || !versions
        || http == null
        || (!hasToken && !wantsCertificate)
        || (wantsCertificate && certificate == null)) {
      return null;
    }
    HttpSettings transport = ca == null ? http : http.withCaBundle(ca);
    if (certificate != null) {
      transport = transport.withClientCertificate(certificate);
    }
    return new KeyProvider.Eaas(
        new EaasSettings(
            url,
            c.secretPath(),
            c.secretVersion(),
            c.minSecretVersion(),
            hasToken ? Optional.of(c.token().reveal()) : Optional.empty(),
            transport));
  }

  /** The TLS client certificate for the EaaS API, or null when a problem was recorded. */
  private static ClientCertificate clientCertificate(
      DropzoneConfig.Eaas c, URI url, Path baseDir, Problems problems) {
    if (blank(c.clientCertificate()) || blank(c.clientKey())) {
      problems.add(
          blank(c.clientKey()) ? "keys.eaas.clientKey" : "keys.eaas.clientCertificate",
          "is required too: a TLS client certificate needs both keys.eaas.clientCertificate"
              + " (the PEM certificate chain) and keys.eaas.clientKey (its PEM private key)");
      return null;
    }
    if (url != null && !"https".equals(url.getScheme())) {
      problems.add(
          "keys.eaas.clientCertificate",
          "needs an https:// keys.eaas.url: a client certificate is presented in the TLS"
              + " handshake");
      return null;
    }
    Path chain = readable(problems, "keys.eaas.clientCertificate", c.clientCertificate(), baseDir);
    Path key = readable(problems, "keys.eaas.clientKey", c.clientKey(), baseDir);
    return chain == null || key == null ? null : new ClientCertificate(chain, key);
  }

  private static KeyProvider kms(
      DropzoneConfig.Kms c,
      String s3Region,
      HttpSettings http,
      boolean insecure,
      Problems problems) {
    required(problems, "keys.kms.keyId", c.keyId(), "a key id, key ARN or alias/name");
    URI endpoint =
        blank(c.endpoint()) ? null : url(problems, "keys.kms.endpoint", c.endpoint(), insecure);
    String region = blank(c.region()) ? s3Region : c.region();
    if (blank(region)) {
      problems.add("keys.kms.region", "is required (or set s3.region, which it defaults to)");
    }
    if (blank(c.keyId()) || blank(region) || (!blank(c.endpoint()) && endpoint == null)) {
      return null;
    }
    KmsSettings settings = KmsSettings.of(c.keyId(), region);
    try {
      settings = settings.withRetiredKeyIds(AuthSection.commaSeparated(c.retiredKeyIds()));
    } catch (IllegalArgumentException e) {
      problems.add("keys.kms.retiredKeyIds", e.getMessage());
      return null;
    }
    if (http != null) {
      settings = settings.withHttp(http);
    }
    return new KeyProvider.Kms(endpoint == null ? settings : settings.withEndpoint(endpoint));
  }

  private static KeyProvider pkcs11(DropzoneConfig.Pkcs11 c, Path baseDir, Problems problems) {
    Path library = null;
    if (blank(c.library())) {
      problems.add(
          "keys.pkcs11.library",
          "is required with the 'pkcs11' provider, e.g. /usr/lib/softhsm/libsofthsm2.so");
    } else {
      library = readable(problems, "keys.pkcs11.library", c.library(), baseDir);
    }
    required(problems, "keys.pkcs11.keyLabel", c.keyLabel(), "the CKA_LABEL of the AES key");
    boolean hasPin = c.pin() != null && !c.pin().isEmpty();
    if (!hasPin) {
      problems.add(
          "keys.pkcs11.pin",
          "is required with the 'pkcs11' provider: set DROPZONE_KEYS_PKCS11_PIN, or"
              + " DROPZONE_KEYS_PKCS11_PIN_FILE naming a file that holds it");
    }
    problems.check(
        c.slotListIndex() >= 0, "keys.pkcs11.slotListIndex", c.slotListIndex(), "must be ≥ 0");
    if (library == null || blank(c.keyLabel()) || !hasPin || c.slotListIndex() < 0) {
      return null;
    }
    return new KeyProvider.Pkcs11(
        new Pkcs11Settings(
            library,
            c.slot() == null ? OptionalLong.empty() : OptionalLong.of(c.slot()),
            c.slotListIndex(),
            c.pin().reveal().toCharArray(),
            c.keyLabel(),
            PKCS11_MAX_CONCURRENT));
  }

  private static HttpSettings http(DropzoneConfig.KeyHttp c, Problems problems) {
    boolean ok =
        problems.check(
                positive(c.connectTimeout()),
                "keys.http.connectTimeout",
                format(c.connectTimeout()),
                "must be longer than 0")
            & problems.check(
                positive(c.requestTimeout()),
                "keys.http.requestTimeout",
                format(c.requestTimeout()),
                "must be longer than 0")
            & problems.check(
                c.maxAttempts() >= 1, "keys.http.maxAttempts", c.maxAttempts(), "must be ≥ 1")
            & problems.check(
                c.maxInFlight() >= 1, "keys.http.maxInFlight", c.maxInFlight(), "must be ≥ 1");
    if (!ok) {
      return null;
    }
    HttpSettings defaults = HttpSettings.defaults();
    return defaults
        .withTimeouts(c.connectTimeout(), c.requestTimeout())
        .withRetries(c.maxAttempts(), defaults.firstBackoff(), defaults.maxBackoff())
        .withMaxInFlight(c.maxInFlight())
        .withPlainHttpAllowed(c.allowInsecure());
  }

  /**
   * The key service's URL, or null when a problem was recorded: not an http(s) URL, or plain http
   * to another machine without {@code keys.http.allowInsecure}.
   */
  private static URI url(Problems problems, String key, String value, boolean insecure) {
    URI uri = url(problems, key, value);
    if (uri == null || insecure) {
      return uri;
    }
    Optional<String> refusal = PlainHttp.refusal(uri);
    refusal.ifPresent(reason -> problems.add(key, reason));
    return refusal.isPresent() ? null : uri;
  }

  private static URI url(Problems problems, String key, String value) {
    if (blank(value)) {
      problems.add(key, "is required, e.g. https://keys.example:8200");
      return null;
    }
    try {
      URI uri = new URI(value);
      if (problems.check(
          ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
              && uri.getHost() != null,
          key,
          value,
          "is not an http(s) URL")) {
        return uri;
      }
    } catch (URISyntaxException e) {
      problems.add(key, "'" + value + "' is not a URL: " + e.getReason());
    }
    return null;
  }

  private static void required(Problems problems, String key, String value, String what) {
    if (blank(value)) {
      problems.add(key, "is required: " + what);
    }
  }

  private static Path readable(Problems problems, String key, String value, Path baseDir) {
    if (blank(value)) {
      return null;
    }
    Path path = baseDir.resolve(value);
    return problems.check(Files.isReadable(path), key, path, "does not exist or is not readable")
        ? path
        : null;
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static String format(Duration d) {
    return d == null ? "" : Durations.format(d);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
