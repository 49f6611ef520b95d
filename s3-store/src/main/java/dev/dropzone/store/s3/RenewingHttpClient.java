package dev.dropzone.store.s3;

import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The S3 client's HTTP client, replaced when it has broken for good. Apache HttpClient 5 closes its
 * whole connection pool when an {@link Error} (an {@link OutOfMemoryError}, typically) escapes a
 * request ({@code MainClientExec}); from then on every request fails with "Connection pool shut
 * down", and one failure under memory pressure would stop every later transfer until a restart.
 * Here the first request that meets the closed pool replaces the HTTP client with a new one and
 * runs again on it: nothing had been sent, since the pool refused before lending a connection.
 */
final class RenewingHttpClient implements SdkHttpClient {

  private static final Logger LOG = LoggerFactory.getLogger(RenewingHttpClient.class);

  private final Supplier<SdkHttpClient> factory;
  private volatile SdkHttpClient current;
  private volatile boolean closed;

  RenewingHttpClient(Supplier<SdkHttpClient> factory) {
    this.factory = factory;
    this.current = factory.get();
  }

  /** A builder of renewing clients around {@code inner}, for {@code httpClientBuilder(..)}. */
  static SdkHttpClient.Builder<?> around(SdkHttpClient.Builder<?> inner) {
    return new Builder(inner);
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    SdkHttpClient client = current;
    return new Renewing(request, client, client.prepareRequest(request));
  }

  @Override
  public String clientName() {
    return current.clientName();
  }

  @Override
  public void close() {
    closed = true;
    current.close();
  }

  /** The client to use instead of {@code broken}: a new one, made once for all who ask. */
  private synchronized SdkHttpClient renewed(SdkHttpClient broken, IllegalStateException why) {
    if (current == broken && !closed) {
      LOG.warn(
          "The S3 HTTP connection pool was shut down ({}), most likely by an OutOfMemoryError"
              + " during a request; replaced it. If this repeats, give the JVM more heap (-Xmx)",
          why.getMessage());
      current = factory.get();
      try {
        broken.close();
      } catch (RuntimeException e) {
        LOG.debug("Closing the broken HTTP client failed: {}", e.toString());
      }
    }
    return current;
  }

  /** "Connection pool shut down", as HttpClient 5 says it (and HttpClient 4 before it). */
  private static boolean poolShutDown(IllegalStateException e) {
    return e.getMessage() != null && e.getMessage().contains("pool shut down");
  }

  /** One request, run again on a new client if the pool of its first one was shut down. */
  private final class Renewing implements ExecutableHttpRequest {

    private final HttpExecuteRequest request;
    private final SdkHttpClient client;
    private volatile ExecutableHttpRequest running;

    Renewing(HttpExecuteRequest request, SdkHttpClient client, ExecutableHttpRequest running) {
      this.request = request;
      this.client = client;
      this.running = running;
    }

    @Override
    public HttpExecuteResponse call() throws IOException {
      try {
        return running.call();
      } catch (IllegalStateException e) {
        if (closed || !poolShutDown(e)) {
          throw e;
        }
        running = renewed(client, e).prepareRequest(request);
        return running.call();
      }
    }

    @Override
    public void abort() {
      running.abort();
    }
  }

  private record Builder(SdkHttpClient.Builder<?> inner) implements SdkHttpClient.Builder<Builder> {
    @Override
    public SdkHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
      return new RenewingHttpClient(() -> inner.buildWithDefaults(serviceDefaults));
    }
  }
}
