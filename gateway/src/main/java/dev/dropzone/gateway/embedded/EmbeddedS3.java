package dev.dropzone.gateway.embedded;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server (S3Proxy) inside this process, keeping objects as files under a
 * directory, so embedded mode uses the same S3 API calls as production and any S3 tool can inspect
 * the (encrypted) objects.
 */
public final class EmbeddedS3 implements AutoCloseable {

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final URI endpoint;

  private EmbeddedS3(BlobStoreContext context, S3Proxy proxy, URI endpoint) {
    this.context = context;
    this.proxy = proxy;
    this.endpoint = endpoint;
  }

  /**
   * Starts the server on {@code 127.0.0.1:port} (0 = a free port) with {@code bucket} created if
   * absent.
   */
  public static EmbeddedS3 start(Path baseDir, int port, String bucket, EmbeddedCredentials creds)
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
              .awsAuthentication(
                  AuthenticationType.AWS_V2_OR_V4, creds.accessKey(), creds.secretKey())
              // The SDK's multipart client sends x-amz-mp-object-size, unknown to S3Proxy.
              .ignoreUnknownHeaders(true)
              .build();
      proxy.start();
      awaitStarted(proxy);
      return new EmbeddedS3(context, proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
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

  public URI endpoint() {
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
      org.slf4j.LoggerFactory.getLogger(EmbeddedS3.class)
          .warn("Embedded S3 server did not stop cleanly: {}", e.toString());
    }
  }
}
