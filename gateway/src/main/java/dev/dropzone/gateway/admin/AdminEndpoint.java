package dev.dropzone.gateway.admin;

import dev.dropzone.gateway.ftp.FtpGateway;
import dev.dropzone.gateway.keys.KeyCheck;
import dev.dropzone.gateway.keys.ServiceCalls;
import dev.dropzone.gateway.metrics.GatewayMeters;
import dev.dropzone.kek.KeyService;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.store.EncryptedStore;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gateway's admin endpoint with its readiness checks wired to the running components, or
 * nothing when {@code admin.enabled} is off.
 */
public final class AdminEndpoint implements AutoCloseable {

  private final AdminServer server;
  private final Readiness readiness;

  private AdminEndpoint(AdminServer server, Readiness readiness) {
    this.server = server;
    this.readiness = readiness;
  }

  /**
   * Starts the endpoint, or returns one that is off when {@code settings} is null.
   *
   * @param shuttingDown set once the gateway begins to stop; {@code /healthz} then answers 503
   * @throws IOException when the admin port cannot be bound
   */
  public static AdminEndpoint start(
      AdminSettings settings,
      GatewayMeters meters,
      FtpGateway ftp,
      EncryptedStore store,
      KeyService keys,
      AtomicBoolean shuttingDown)
      throws IOException {
    if (settings == null) {
      return new AdminEndpoint(null, null);
    }
    Readiness readiness =
        new Readiness(settings.checkCacheTtl(), settings.checkTimeout())
            .local(
                "ftp",
                () ->
                    ftp.accepting()
                        ? Optional.empty()
                        : Optional.of("the FTP server does not accept connections"))
            .remote("s3", () -> store.reachability(settings.checkTimeout()))
            .remote("keyService", () -> keyService(keys, settings));
    try {
      return new AdminEndpoint(
          AdminServer.start(settings, meters, readiness, () -> !shuttingDown.get()), readiness);
    } catch (IOException | RuntimeException e) {
      readiness.close();
      throw e;
    }
  }

  /** Wraps and unwraps a fresh key, as a new user's first upload would (see {@link KeyCheck}). */
  private static Optional<String> keyService(KeyService keys, AdminSettings settings) {
    try {
      new KeyCheck(keys, new ServiceCalls(settings.checkTimeout())).run();
      return Optional.empty();
    } catch (KeyServiceException e) {
      return Optional.of(
          "the key service " + keys.masterKeyId() + " does not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while waiting for the key service");
    }
  }

  /** The port bound, or -1 when the endpoint is off. */
  public int port() {
    return server == null ? -1 : server.port();
  }

  /** The URL to reach the endpoint at, or empty when it is off. */
  public Optional<String> url() {
    return server == null ? Optional.empty() : Optional.of(server.url());
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
      readiness.close();
    }
  }
}
