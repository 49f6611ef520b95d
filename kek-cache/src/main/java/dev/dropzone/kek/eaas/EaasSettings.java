package dev.dropzone.kek.eaas;

import dev.dropzone.kek.http.HttpSettings;
import java.net.URI;
import java.util.Objects;

/**
 * Where the EaaS RSA key lives and how to reach it.
 *
 * @param url the service's base URL; {@code /key/encrypt/rsa} and {@code /key/decrypt/rsa} are
 *     appended to it
 * @param secretPath the {@code secret_path} of the RSA key pair
 * @param secretVersion the {@code secret_version} new keys are wrapped with; keys wrapped with an
 *     older version name it in their reference and are unwrapped with it
 * @param http timeouts, retries, concurrency and the CA bundle
 */
public record EaasSettings(URI url, String secretPath, int secretVersion, HttpSettings http) {

  public EaasSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(secretPath, "secretPath");
    Objects.requireNonNull(http, "http");
    if (!secretPath.matches("[A-Za-z0-9._/-]+")) {
      throw new IllegalArgumentException(
          "EaaS secret path must be letters, digits, '.', '_', '-' or '/': " + secretPath);
    }
    if (secretVersion < 0) {
      throw new IllegalArgumentException(
          "EaaS secret version must not be negative: " + secretVersion);
    }
  }

  public static EaasSettings of(URI url, String secretPath, int secretVersion) {
    return new EaasSettings(url, secretPath, secretVersion, HttpSettings.defaults());
  }

  public EaasSettings withHttp(HttpSettings newHttp) {
    return new EaasSettings(url, secretPath, secretVersion, newHttp);
  }
}
