package dev.dropzone.kek.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.dropzone.kek.KeyServiceException;
import dev.dropzone.kek.KeyServiceException.Failure;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key service's HTTP(S) JSON API as the providers use it: POST a JSON body, get a JSON reply.
 * Connection errors, timeouts and 5xx replies are retried with backoff up to the configured number
 * of attempts and then fail as {@link Failure#UNAVAILABLE}; every other reply, 4xx included, goes
 * back to the provider, which knows what its service means by it. At most {@link
 * HttpSettings#maxInFlight()} requests are on the wire at once.
 *
 * <p>Replies are delivered on the given executor, never on the event loop, so whatever the caller
 * chains onto a result cannot stall other key requests.
 */
public final class JsonEndpoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JsonEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_DETAIL_CHARS = 200;

  /**
   * The longest reply kept. Every key operation's reply is a few hundred bytes (a wrapped or
   * unwrapped key, a status); anything near this limit is not a key service talking.
   */
  static final int MAX_REPLY_BYTES = 1 << 20;

  private final URI base;
  private final HttpSettings settings;
  private final Vertx vertx;
  private final WebClient client;
  private final InFlightLimit limit;
  private final Backoff backoff;
  private final Executor callbacks;
  private volatile boolean closed;

  private JsonEndpoint(URI base, HttpSettings settings, Executor callbacks) {
    this.base = base;
    this.settings = settings;
    this.callbacks = callbacks;
    // One small event loop per key service: it only moves a few hundred bytes per unwrap.
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    WebClientOptions options =
        new WebClientOptions()
            .setConnectTimeout(Math.toIntExact(settings.connectTimeout().toMillis()))
            .setIdleTimeout(Math.toIntExact(settings.requestTimeout().toMillis()))
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setKeepAlive(true)
            // A key service never redirects: following one would send the request, its token
            // included, wherever the answer points, even over plain HTTP.
            .setFollowRedirects(false)
            .setUserAgentEnabled(false)
            .setVerifyHost(true);
    settings.caBundle().ifPresent(pem -> options.setTrustOptions(trust(pem.toString())));
    settings
        .clientCertificate()
        .ifPresent(
            certificate ->
                options.setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertPath(certificate.certificateChain().toString())
                        .setKeyPath(certificate.privateKey().toString())));
    this.client =
        WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(settings.maxInFlight()));
    client.addInterceptor(JsonEndpoint::attachReplyBody);
    this.limit = new InFlightLimit(settings.maxInFlight());
    this.backoff = new Backoff(settings.firstBackoff(), settings.maxBackoff());
  }

  /** Tells each request's {@link ReplyBody} the HTTP request that carries it. */
  private static void attachReplyBody(HttpContext<?> context) {
    if (context.phase() == ClientPhase.SEND_REQUEST
        && context.request().bodyCodec() instanceof ReplyBody body
        && !body.attach(context.clientRequest())) {
      // Failing resets the unsent request, which Vert.x logs at ERROR unless someone listens.
      context.clientRequest().exceptionHandler(reset -> {});
      context.fail(new IllegalStateException("the attempt gave up before its request was sent"));
      return;
    }
    context.next();
  }

  /**
   * A client for the service at {@code base} (scheme, host, port and an optional path prefix).
   *
   * @throws IllegalArgumentException if {@code base} is not an absolute http or https URL, or is
   *     plain http to another machine and {@code settings} do not allow that ({@link PlainHttp})
   */
  public static JsonEndpoint open(URI base, HttpSettings settings) {
    return open(base, settings, ForkJoinPool.commonPool());
  }

  /** As {@link #open(URI, HttpSettings)}, delivering replies on {@code callbacks}. */
  public static JsonEndpoint open(URI base, HttpSettings settings, Executor callbacks) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(callbacks, "callbacks");
    String scheme = base.getScheme();
    if (!("http".equals(scheme) || "https".equals(scheme)) || base.getHost() == null) {
      throw new IllegalArgumentException(
          "key service URL must be an absolute http:// or https:// URL: " + base);
    }
    PlainHttp.check(base, settings);
    String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
    URI normalised = URI.create(scheme + "://" + base.getRawAuthority() + path);
    return new JsonEndpoint(normalised, settings, callbacks);
  }

  /** Scheme, host, port and path prefix of the service, for messages; never carries secrets. */
  public String address() {
    return base.toString();
  }

  /**
   * POSTs {@code body} to {@code path} (appended to the base URL).
   *
   * @param operation names the call in failure messages, e.g. "vault transit at https://vault:8200
   *     key 'dropzone': decrypt"
   * @return the reply, unless the service stayed unreachable or kept answering 5xx, in which case
   *     the future fails with an UNAVAILABLE {@link KeyServiceException}
   */
  public CompletableFuture<JsonReply> post(
      String path, Map<String, String> headers, JsonNode body, String operation) {
    CompletableFuture<JsonReply> delivered = new CompletableFuture<>();
    Buffer payload;
    try {
      payload = Buffer.buffer(JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      delivered.completeExceptionally(
          new KeyServiceException(
              Failure.INVALID, operation + ": cannot encode the request: " + e.getMessage(), e));
      return delivered;
    }
    CompletableFuture<JsonReply> result = new CompletableFuture<>();
    attempt(1, new Call(base + path, Map.copyOf(headers), payload, operation, result));
    result.whenCompleteAsync(
        (reply, error) -> {
          if (error != null) {
            delivered.completeExceptionally(error);
          } else {
            delivered.complete(reply);
          }
        },
        callbacks);
    return delivered;
  }

  private void attempt(int number, Call call) {
    if (closed) {
      call.result.completeExceptionally(
          new KeyServiceException(
              Failure.UNAVAILABLE, call.operation + ": the key service client is closed"));
      return;
    }
    limit.acquire().thenRun(() -> send(number, call));
  }

  private void send(int number, Call call) {
    HttpRequest<Buffer> request;
    ReplyBody body = new ReplyBody(MAX_REPLY_BYTES);
    try {
      request =
          client
              .postAbs(call.url)
              .connectTimeout(settings.connectTimeout().toMillis())
              .timeout(settings.requestTimeout().toMillis())
              .putHeader("Content-Type", "application/json")
              .putHeader("Accept", "application/json")
              .as(body);
      call.headers.forEach(request::putHeader);
    } catch (RuntimeException e) {
      // A client closed between the check and the call refuses new requests by throwing.
      limit.release();
      retryOrFail(number, call, describe(e));
      return;
    }
    // The client's own timeouts are idle timeouts: a reply that trickles in a byte at a time
    // would hold the call, its slot and the single-flight entry of its key for ever. So each
    // attempt has a deadline of its own; past it the call moves on and the request is reset,
    // which closes its connection instead of leaving it taken in the pool.
    long deadline = settings.connectTimeout().plus(settings.requestTimeout()).toMillis();
    AtomicBoolean settled = new AtomicBoolean();
    long timer =
        vertx.setTimer(
            deadline,
            fired -> {
              if (settled.compareAndSet(false, true)) {
                body.abandon();
                limit.release();
                retryOrFail(number, call, "timed out: no whole answer within " + deadline + " ms");
              }
            });
    request
        .sendBuffer(call.payload)
        .onComplete(
            done -> {
              vertx.cancelTimer(timer);
              if (settled.compareAndSet(false, true)) {
                answered(number, call, done, body);
              }
            });
  }

  private void answered(
      int number, Call call, AsyncResult<HttpResponse<Buffer>> done, ReplyBody body) {
    limit.release();
    if (done.failed()) {
      ReplyBody.TooLargeException tooLarge = body.refusal();
      if (tooLarge != null) {
        // Not a passing fault: asking again would only fetch another such reply.
        giveUp(number, call, tooLarge.getMessage());
      } else {
        retryOrFail(number, call, describe(done.cause()));
      }
      return;
    }
    HttpResponse<Buffer> response = done.result();
    if (response.statusCode() >= 500) {
      retryOrFail(number, call, "HTTP " + response.statusCode() + detail(response.body()));
      return;
    }
    call.result.complete(new JsonReply(response.statusCode(), parse(response.body())));
  }

  private void retryOrFail(int number, Call call, String why) {
    if (number >= settings.maxAttempts() || closed) {
      giveUp(number, call, why);
      return;
    }
    call.failures.add(why);
    long pause = backoff.millisBefore(number);
    LOG.debug("{}: attempt {} failed ({}); retrying in {} ms", call.operation, number, why, pause);
    vertx.setTimer(pause, timer -> attempt(number + 1, call));
  }

  private static void giveUp(int number, Call call, String why) {
    call.failures.add(why);
    call.result.completeExceptionally(
        new KeyServiceException(
            Failure.UNAVAILABLE,
            call.operation
                + ": no usable answer after "
                + number
                + (number == 1 ? " attempt: " : " attempts: ")
                + history(call.failures)));
  }

  private static JsonNode parse(Buffer body) {
    if (body == null || body.length() == 0) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(body.getBytes());
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  /** A short, printable excerpt of an error body: enough to diagnose, too short to flood logs. */
  static String detail(Buffer body) {
    if (body == null || body.length() == 0) {
      return "";
    }
    String text = body.toString().replaceAll("[^\\x20-\\x7e]", " ").strip();
    if (text.length() > MAX_DETAIL_CHARS) {
      text = text.substring(0, MAX_DETAIL_CHARS) + "...";
    }
    return text.isEmpty() ? "" : " " + text;
  }

  /**
   * Every attempt's failure, equal ones in a row given once: a slow service's attempts that timed
   * out can end with a connection the service closed, and only the whole history says what
   * happened.
   */
  static String history(List<String> failures) {
    StringBuilder text = new StringBuilder();
    int first = 0;
    for (int i = 1; i <= failures.size(); i++) {
      if (i < failures.size() && failures.get(i).equals(failures.get(first))) {
        continue;
      }
      if (text.length() > 0) {
        text.append("; ");
      }
      text.append(i - first == 1 ? "attempt " + i : "attempts " + (first + 1) + "-" + i)
          .append(": ")
          .append(failures.get(first));
      first = i;
    }
    return text.toString();
  }

  private static String describe(Throwable error) {
    if (error instanceof TimeoutException || error.getClass().getSimpleName().contains("Timeout")) {
      return "timed out (" + error.getMessage() + ")";
    }
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static PemTrustOptions trust(String pem) {
    return new PemTrustOptions().addCertPath(pem);
  }

  @Override
  public void close() {
    closed = true;
    client.close();
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.warn("The HTTP client of {} did not stop within 10 s; continuing", base);
    }
  }

  @Override
  public String toString() {
    return "JsonEndpoint[" + base + "]";
  }

  /** One request and its attempts' failures so far (attempts follow each other, never overlap). */
  private record Call(
      String url,
      Map<String, String> headers,
      Buffer payload,
      String operation,
      CompletableFuture<JsonReply> result,
      List<String> failures) {

    Call(
        String url,
        Map<String, String> headers,
        Buffer payload,
        String operation,
        CompletableFuture<JsonReply> result) {
      this(url, headers, payload, operation, result, new CopyOnWriteArrayList<>());
    }
  }
}
