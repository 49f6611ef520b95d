package dev.dropzone.embedded.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Supplier;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.slf4j.LoggerFactory;

/**
 * An S3-compatible server (S3Proxy) inside this process, keeping objects as files under a
 * directory, so embedded mode uses the same S3 API calls as production and any S3 tool can inspect
 * the (encrypted) objects.
 *
 * <p>The gateway reaches this class through a separate class loader and shares no types with it, so
 * its surface uses JDK types only: {@link #start}, the endpoint as a {@link Supplier}, and {@link
 * AutoCloseable}.
 */
public final class S3ProxyServer implements Supplier<URI>, AutoCloseable {

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final URI endpoint;

  private S3ProxyServer(BlobStoreContext context, S3Proxy proxy, URI endpoint) {
    this.context = context;
    this.proxy = proxy;
    this.endpoint = endpoint;
  }

  /**
   * Starts the server on {@code 127.0.0.1:port} (0 = a free port) with {@code bucket} created if
   * absent, accepting only the given credentials.
   */
  public static S3ProxyServer start(
      Path baseDir, int port, String bucket, String accessKey, String secretKey)
      throws IOException {
    Files.createDirectories(baseDir);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", baseDir.toAbsolutePath().toString());
    BlobStoreContext context =
        ContextBuilder.newBuilder("filesystem").overrides(properties).build(BlobStoreContext.class);
    S3Proxy proxy = null;
    try {
      context.getBlobStore().createContainerInLocation(null, bucket);
      proxy =
          S3Proxy.builder()
              .blobStore(context.getBlobStore())
              .endpoint(URI.create("http://127.0.0.1:" + port))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
              // The SDK's multipart client sends x-amz-mp-object-size, unknown to S3Proxy.
              .ignoreUnknownHeaders(true)
              .build();
      proxy.start();
      awaitStarted(proxy);
      return new S3ProxyServer(context, proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
    } catch (Exception e) {
      stopQuietly(proxy);
      context.close();
      throw new IOException(
          "cannot start the embedded S3 server on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
  }

  private static void awaitStarted(S3Proxy proxy) throws Exception {
    // S3Proxy's start() returns before Jetty has bound its port and offers no callback.
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
        throw new IOException("S3Proxy did not start (state " + proxy.getState() + ")");
      }
      Thread.sleep(5);
    }
  }

  /** The endpoint, {@code http://127.0.0.1:<port>}. */
  @Override
  public URI get() {
    return endpoint;
  }

  @Override
  public void close() {
    stopQuietly(proxy);
    context.close();
  }

  private static void stopQuietly(S3Proxy proxy) {
    if (proxy == null) {
      return;
    }
    try {
      proxy.stop();
    } catch (Exception e) {
      LoggerFactory.getLogger(S3ProxyServer.class)
          .warn("Embedded S3 server did not stop cleanly: {}", e.toString());
    }
  }
}
