package dev.dropzone.kek.eaas;

import dev.dropzone.kek.http.HttpSettings;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the EaaS RSA key lives, how to reach it and how requests prove who sends them.
 *
 * @param url the service's base URL; {@code /key/encrypt/rsa} and {@code /key/decrypt/rsa} are
 *     appended to it
 * @param secretPath the {@code secret_path} of the RSA key pair
 * @param secretVersion the {@code secret_version} new keys are wrapped with; keys wrapped with an
 *     older version name it in their reference and are unwrapped with it
 * @param minSecretVersion the oldest {@code secret_version} a wrapped key may name; a reference
 *     naming an older one is refused without asking the service, so metadata cannot point at a
 *     retired key pair. 0 accepts every version
 * @param token sent as {@code Authorization: Bearer <token>} on every request; the configuration
 *     layer reads it from a secret. A TLS client certificate, if the service wants one, is part of
 *     {@code http}; at least one of the two is needed
 * @param http timeouts, retries, concurrency, the CA bundle and the client certificate
 */
public record EaasSettings(
    URI url,
    String secretPath,
    int secretVersion,
    int minSecretVersion,
    Optional<String> token,
    HttpSettings http) {

  public EaasSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(secretPath, "secretPath");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(http, "http");
    if (!secretPath.matches("[A-Za-z0-9._/-]+")) {
      throw new IllegalArgumentException(
          "EaaS secret path must be letters, digits, '.', '_', '-' or '/': " + secretPath);
    }
    if (secretVersion < 0) {
      throw new IllegalArgumentException(
          "EaaS secret version must not be negative: " + secretVersion);
    }
    if (minSecretVersion < 0 || minSecretVersion > secretVersion) {
      throw new IllegalArgumentException(
          "EaaS minimum secret version must be between 0 and the secret version "
              + secretVersion
              + ": "
              + minSecretVersion);
    }
    if (token.isPresent() && token.get().isBlank()) {
      throw new IllegalArgumentException("EaaS token is empty");
    }
  }

  /** No minimum version, no credentials yet ({@link #withToken}), default HTTP settings. */
  public static EaasSettings of(URI url, String secretPath, int secretVersion) {
    return new EaasSettings(
        url, secretPath, secretVersion, 0, Optional.empty(), HttpSettings.defaults());
  }

  public EaasSettings withToken(String newToken) {
    return new EaasSettings(
        url, secretPath, secretVersion, minSecretVersion, Optional.of(newToken), http);
  }

  public EaasSettings withMinSecretVersion(int newMinimum) {
    return new EaasSettings(url, secretPath, secretVersion, newMinimum, token, http);
  }

  public EaasSettings withHttp(HttpSettings newHttp) {
    return new EaasSettings(url, secretPath, secretVersion, minSecretVersion, token, newHttp);
  }

  /** Whether requests carry a credential: the service refuses anonymous ones. */
  public boolean hasCredentials() {
    return token.isPresent() || http.clientCertificate().isPresent();
  }

  @Override
  public String toString() {
    // The token must never reach a log line through a settings dump.
    return "EaasSettings[url="
        + url
        + ", secretPath="
        + secretPath
        + ", secretVersion="
        + secretVersion
        + ", minSecretVersion="
        + minSecretVersion
        + ", token="
        + (token.isPresent() ? "***" : "-")
        + ", clientCertificate="
        + http.clientCertificate().map(c -> c.certificateChain().toString()).orElse("-")
        + "]";
  }
}
