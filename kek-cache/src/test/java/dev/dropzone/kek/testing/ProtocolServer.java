package dev.dropzone.kek.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The machinery every key-service protocol test server shares: a Vert.x Web server on 127.0.0.1,
 * request recording and counting per operation, and faults a test can inject — the next N replies
 * as a given status, slow replies, or replies held until the test releases them.
 */
public final class ProtocolServer implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  private final Router router = Router.router(vertx);
  private final HttpServerOptions options;
  private volatile HttpServer server;
  private volatile int boundPort;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<Map.Entry<String, RecordedRequest>> recorded = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final List<Runnable> held = new ArrayList<>();
  private volatile int failureStatus;
  private volatile JsonObject failureBody;
  private volatile long delayMillis;
  private boolean holding;

  private final boolean tls;

  /** A plain HTTP server. */
  public ProtocolServer() {
    this(null);
  }

  /** An HTTPS server presenting {@code certificate}, or plain HTTP if it is null. */
  public ProtocolServer(KeyCertOptions certificate) {
    this(certificate, null);
  }

  /**
   * An HTTPS server presenting {@code certificate} that asks clients for a certificate and accepts
   * only those {@code clientAuthority} signed (unless it is null); handlers see whether one was
   * presented. Plain HTTP if {@code certificate} is null.
   */
  public ProtocolServer(KeyCertOptions certificate, TrustOptions clientAuthority) {
    router.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0);
    if (certificate != null) {
      options.setSsl(true).setKeyCertOptions(certificate);
    }
    if (certificate != null && clientAuthority != null) {
      options.setClientAuth(ClientAuth.REQUEST).setTrustOptions(clientAuthority);
    }
    this.tls = certificate != null;
    this.options = options;
    this.server = vertx.createHttpServer(options);
  }

  /** Routes requests for {@code operation} that match {@code pathRegex} to {@code handler}. */
  public ProtocolServer post(String pathRegex, String operation, Consumer<RoutingContext> handler) {
    router.postWithRegex(pathRegex).handler(context -> arrive(operation, context, handler));
    return this;
  }

  /** Routes requests whose header {@code name} has {@code value} (KMS-style RPC dispatch). */
  public ProtocolServer postWithHeader(
      String path, String name, String value, String operation, Consumer<RoutingContext> handler) {
    router
        .post(path)
        .handler(
            context -> {
              if (value.equals(context.request().getHeader(name))) {
                arrive(operation, context, handler);
              } else {
                context.next();
              }
            });
    return this;
  }

  /** Answers every unmatched request with {@code status} and {@code body}. */
  public ProtocolServer otherwise(int status, JsonObject body) {
    router.route().handler(context -> reply(context, status, body));
    return this;
  }

  public ProtocolServer start() {
    server.requestHandler(router).listen().await();
    boundPort = server.actualPort();
    return this;
  }

  /** Stops listening, as a crashed or unreachable service would; {@link #restart()} undoes it. */
  public void stop() {
    server.close().await();
  }

  /** Listens again on the same port, with all state (keys, counters) kept. */
  public void restart() {
    // The old server may report no port once closed; clients must find the service where it was.
    HttpServer again = vertx.createHttpServer(new HttpServerOptions(options).setPort(boundPort));
    again.requestHandler(router).listen().await();
    server = again;
  }

  public URI uri() {
    return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + boundPort);
  }

  public int port() {
    return boundPort;
  }

  public int count(String operation) {
    AtomicInteger count = counts.get(operation);
    return count == null ? 0 : count.get();
  }

  /** The most requests that were being handled at the same moment. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** The requests for {@code operation}, oldest first. */
  public List<RecordedRequest> requests(String operation) {
    List<RecordedRequest> matching = new ArrayList<>();
    recorded.stream()
        .filter(entry -> entry.getKey().equals(operation))
        .forEach(entry -> matching.add(entry.getValue()));
    return matching;
  }

  public RecordedRequest last(String operation) {
    List<RecordedRequest> all = requests(operation);
    if (all.isEmpty()) {
      throw new AssertionError("no " + operation + " request arrived");
    }
    return all.get(all.size() - 1);
  }

  /** The next {@code count} requests are answered with {@code status} and {@code body}. */
  public void failNext(int count, int status, JsonObject body) {
    failureStatus = status;
    failureBody = body;
    failuresLeft.set(count);
  }

  /** Every reply from now on comes {@code delay} late. */
  public void delayReplies(Duration delay) {
    delayMillis = delay.toMillis();
  }

  /** Requests from now on wait, unanswered, until {@link #release()}. */
  public synchronized void hold() {
    holding = true;
  }

  public void release() {
    List<Runnable> waiting;
    synchronized (this) {
      holding = false;
      waiting = new ArrayList<>(held);
      held.clear();
    }
    waiting.forEach(answer -> vertx.runOnContext(ignored -> answer.run()));
  }

  private void arrive(String operation, RoutingContext context, Consumer<RoutingContext> handler) {
    counts.computeIfAbsent(operation, name -> new AtomicInteger()).incrementAndGet();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    context.addEndHandler(ended -> inFlight.decrementAndGet());
    recorded.add(Map.entry(operation, record(context)));
    if (failuresLeft.getAndUpdate(left -> left > 0 ? left - 1 : 0) > 0) {
      reply(context, failureStatus, failureBody);
      return;
    }
    Runnable answer = () -> handler.accept(context);
    long delay = delayMillis;
    if (delay > 0) {
      vertx.setTimer(delay, timer -> answer.run());
      return;
    }
    synchronized (this) {
      if (holding) {
        held.add(answer);
        return;
      }
    }
    answer.run();
  }

  private static RecordedRequest record(RoutingContext context) {
    Map<String, String> headers = new HashMap<>();
    context
        .request()
        .headers()
        .forEach(
            header -> headers.put(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
    JsonObject body;
    try {
      body = context.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    return new RecordedRequest(context.request().path(), Map.copyOf(headers), body);
  }

  public static void reply(RoutingContext context, int status, JsonObject body) {
    if (context.response().closed() || context.response().ended()) {
      return;
    }
    context
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body == null ? "" : body.encode());
  }

  @Override
  public void close() {
    server.close().await();
    vertx.close().await();
  }
}
