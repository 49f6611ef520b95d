package dev.dropzone.kek.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a key-service client talks HTTP: timeouts, retries, how many requests may be in flight, and
 * which certificate authorities to trust.
 *
 * @param connectTimeout how long to wait for a TCP (and TLS) connection
 * @param requestTimeout how long one attempt may wait for its reply
 * @param maxAttempts attempts per call, the first included; retries happen only on connection
 *     errors, timeouts and 5xx replies
 * @param firstBackoff the pause before the first retry; it doubles each retry, with jitter
 * @param maxBackoff the longest pause between two attempts
 * @param maxInFlight requests to the service at once; further calls wait their turn
 * @param caBundle PEM file of the authorities that sign the service's certificate; empty to use the
 *     JVM's default trust store
 * @param clientCertificate the TLS client certificate to present, for services that authenticate
 *     clients by certificate (mutual TLS)
 * @param allowPlainHttp whether a plain {@code http://} service on another machine is accepted; see
 *     {@link PlainHttp}
 */
public record HttpSettings(
    Duration connectTimeout,
    Duration requestTimeout,
    int maxAttempts,
    Duration firstBackoff,
    Duration maxBackoff,
    int maxInFlight,
    Optional<Path> caBundle,
    Optional<ClientCertificate> clientCertificate,
    boolean allowPlainHttp) {

  public HttpSettings {
    positive("connectTimeout", connectTimeout);
    positive("requestTimeout", requestTimeout);
    positive("firstBackoff", firstBackoff);
    positive("maxBackoff", maxBackoff);
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
    }
    Objects.requireNonNull(caBundle, "caBundle");
    Objects.requireNonNull(clientCertificate, "clientCertificate");
  }

  /** Settings that suit a key service on the same network: seconds, not minutes. */
  public static HttpSettings defaults() {
    return new HttpSettings(
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        3,
        Duration.ofMillis(200),
        Duration.ofSeconds(5),
        16,
        Optional.empty(),
        Optional.empty(),
        false);
  }

  public HttpSettings withTimeouts(Duration connect, Duration request) {
    return new HttpSettings(
        connect,
        request,
        maxAttempts,
        firstBackoff,
        maxBackoff,
        maxInFlight,
        caBundle,
        clientCertificate,
        allowPlainHttp);
  }

  public HttpSettings withRetries(int attempts, Duration first, Duration max) {
    return new HttpSettings(
        connectTimeout,
        requestTimeout,
        attempts,
        first,
        max,
        maxInFlight,
        caBundle,
        clientCertificate,
        allowPlainHttp);
  }

  public HttpSettings withMaxInFlight(int limit) {
    return new HttpSettings(
        connectTimeout,
        requestTimeout,
        maxAttempts,
        firstBackoff,
        maxBackoff,
        limit,
        caBundle,
        clientCertificate,
        allowPlainHttp);
  }

  public HttpSettings withCaBundle(Path pem) {
    return new HttpSettings(
        connectTimeout,
        requestTimeout,
        maxAttempts,
        firstBackoff,
        maxBackoff,
        maxInFlight,
        Optional.of(pem),
        clientCertificate,
        allowPlainHttp);
  }

  /** These settings, accepting plain {@code http://} to other machines if {@code allowed}. */
  public HttpSettings withPlainHttpAllowed(boolean allowed) {
    return new HttpSettings(
        connectTimeout,
        requestTimeout,
        maxAttempts,
        firstBackoff,
        maxBackoff,
        maxInFlight,
        caBundle,
        clientCertificate,
        allowed);
  }

  /** These settings, presenting {@code certificate} to the service. */
  public HttpSettings withClientCertificate(ClientCertificate certificate) {
    return new HttpSettings(
        connectTimeout,
        requestTimeout,
        maxAttempts,
        firstBackoff,
        maxBackoff,
        maxInFlight,
        caBundle,
        Optional.of(certificate),
        allowPlainHttp);
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
