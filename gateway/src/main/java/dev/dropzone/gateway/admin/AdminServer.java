package dev.dropzone.gateway.admin;

import dev.dropzone.gateway.metrics.GatewayMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP endpoint: {@code /metrics} (Prometheus text format), {@code /healthz} (the process
 * runs and is not shutting down) and {@code /readyz} (the gateway can serve: see {@link
 * Readiness}). With a token configured every request must carry it; without one, anyone who reaches
 * the port may read these, which is why it binds to 127.0.0.1 unless told otherwise.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

  /** Prometheus' text exposition format, the one {@link GatewayMeters#scrape()} writes. */
  static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String JSON = "application/json";
  private static final int SHUTTING_DOWN = 503;
  private static final CheckResult SHUTTING_DOWN_CHECK =
      new CheckResult("shutdown", "the gateway is shutting down and takes no new work");

  private final Vertx vertx;
  private final HttpServer server;
  private final String bind;

  private AdminServer(Vertx vertx, HttpServer server, String bind) {
    this.vertx = vertx;
    this.server = server;
    this.bind = bind;
  }

  /**
   * Starts listening.
   *
   * @param alive whether the process is alive and not shutting down ({@code /healthz})
   * @throws IOException when the port cannot be bound
   */
  public static AdminServer start(
      AdminSettings settings, GatewayMeters meters, Readiness readiness, BooleanSupplier alive)
      throws IOException {
    // /readyz says nothing while its checks run: the connection must outlive the longest.
    Duration idle = settings.checkTimeout().plusSeconds(5);
    return start(
        settings, meters, readiness, alive, idle.compareTo(IDLE_TIMEOUT) > 0 ? idle : IDLE_TIMEOUT);
  }

  /**
   * How long a connection may stay without a byte either way before it is closed (longer when a
   * readiness check may take longer). Vert.x keeps idle connections for ever by default: without a
   * limit anyone who reaches the port (it may listen beyond loopback for scrapers, and the token is
   * checked per request, not per connection) could hold connections, and the file descriptors the
   * FTP server shares, as long as they like. Scrapers and probes reconnect as they need.
   */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Connections kept open at once: probes and scrapers use a few (see {@link AdminConnections}).
   */
  static final int MAX_CONNECTIONS = 64;

  /** Connections kept open at once from one client address. */
  static final int MAX_CONNECTIONS_PER_ADDRESS = 8;

  static AdminServer start(
      AdminSettings settings,
      GatewayMeters meters,
      Readiness readiness,
      BooleanSupplier alive,
      Duration idleTimeout)
      throws IOException {
    // Probes and scrapes are a few requests a minute: one event loop, no worker pool to speak of.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    Router router = Router.router(vertx);
    if (settings.token() != null) {
      router.route().handler(context -> authorize(settings.token(), context));
    } else if (!isLoopback(settings.bind())) {
      LOG.warn(
          "The admin endpoint listens on {} without a token: anyone who reaches port {} can read"
              + " metrics and check results; set admin.token (or DROPZONE_ADMIN_TOKEN_FILE)",
          settings.bind(),
          settings.port());
    }
    router.get("/metrics").handler(context -> metrics(meters, context));
    router.get("/healthz").handler(context -> health(alive, context));
    router.get("/readyz").handler(context -> ready(readiness, alive, context));
    HttpServer server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(settings.bind())
                .setPort(settings.port())
                // HTTP/1.1 only: a server that may also see cleartext HTTP/2 waits for a new
                // connection's first bytes before it counts it (see AdminConnections).
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) idleTimeout.toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
    server.connectionHandler(
        new AdminConnections(MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, System::nanoTime)
            ::accept);
    try {
      server
          .requestHandler(router)
          .listen()
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      vertx.close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IOException(
          "cannot listen on "
              + settings.bind()
              + ":"
              + settings.port()
              + " for the admin endpoint: "
              + cause.getMessage()
              + " (change admin.bind or admin.port, or set admin.enabled=false)",
          cause);
    } catch (InterruptedException e) {
      vertx.close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the admin endpoint", e);
    }
    AdminServer admin = new AdminServer(vertx, server, settings.bind());
    LOG.info(
        "Admin endpoint on {} ({})",
        admin.url(),
        settings.token() == null ? "no token" : "bearer token required");
    return admin;
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:9180/}, with a reachable host when bound to all addresses. */
  public String url() {
    String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/";
  }

  private static void authorize(BearerToken token, RoutingContext context) {
    if (token.acceptsHeader(context.request().getHeader("Authorization"))) {
      context.next();
      return;
    }
    context.response().putHeader("WWW-Authenticate", "Bearer realm=\"dropzone-admin\"");
    json(
        context,
        401,
        new JsonObject()
            .put(
                "error",
                "a valid token is required: send the header 'Authorization: Bearer <token>' with"
                    + " the value of admin.token"));
  }

  private static void metrics(GatewayMeters meters, RoutingContext context) {
    // Scraping reads JVM beans and every meter: off the event loop.
    context
        .vertx()
        .executeBlocking(meters::scrape)
        .onSuccess(
            text -> context.response().putHeader("Content-Type", METRICS_CONTENT_TYPE).end(text))
        .onFailure(context::fail);
  }

  private static void health(BooleanSupplier alive, RoutingContext context) {
    boolean up = alive.getAsBoolean();
    json(
        context,
        up ? 200 : SHUTTING_DOWN,
        new JsonObject().put("status", up ? "alive" : "shutting down"));
  }

  private static void ready(Readiness readiness, BooleanSupplier alive, RoutingContext context) {
    if (!alive.getAsBoolean()) {
      // Nothing to check: the gateway takes no new work, whatever S3 and the key service say.
      json(context, SHUTTING_DOWN, body(List.of(SHUTTING_DOWN_CHECK)));
      return;
    }
    Future.fromCompletionStage(readiness.check(), context.vertx().getOrCreateContext())
        .onSuccess(
            results ->
                json(
                    context, results.stream().allMatch(CheckResult::ok) ? 200 : 503, body(results)))
        .onFailure(context::fail);
  }

  /**
   * {@code {"status":"ready"|"unready","checks":[{"name":"s3","ok":false,"problem":"…"},…],
   * "failed":["s3"]}}.
   */
  static JsonObject body(List<CheckResult> results) {
    JsonArray checks = new JsonArray();
    JsonArray failed = new JsonArray();
    for (CheckResult result : results) {
      JsonObject check = new JsonObject().put("name", result.name()).put("ok", result.ok());
      if (!result.ok()) {
        check.put("problem", result.problem());
        failed.add(result.name());
      }
      checks.add(check);
    }
    return new JsonObject()
        .put("status", failed.isEmpty() ? "ready" : "unready")
        .put("checks", checks)
        .put("failed", failed);
  }

  private static void json(RoutingContext context, int status, JsonObject body) {
    context.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
  }

  private static boolean isLoopback(String address) {
    return address.equals("127.0.0.1") || address.equals("::1") || address.equals("localhost");
  }

  /** Stops listening; probes then fail to connect, which orchestrators read as unready. */
  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("Admin endpoint did not stop cleanly: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
