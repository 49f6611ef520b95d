package dev.dropzone.store.testing;

import dev.dropzone.store.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-compatible server (S3Proxy) running in this JVM on 127.0.0.1, for tests. Use the
 * in-memory backend for speed, or the filesystem backend when object bytes must not live on the
 * test's heap (memory-bound tests) or must survive a restart.
 */
public final class S3ProxyFixture implements AutoCloseable {

  public static final String ACCESS_KEY = "test-access";
  public static final String SECRET_KEY = "test-secret";
  public static final String REGION = "us-east-1";

  private final BlobStoreContext context;
  private final BlobStore store;
  private volatile S3Proxy proxy;
  private final URI endpoint;

  private S3ProxyFixture(BlobStoreContext context) throws Exception {
    this(context, UnaryOperator.identity());
  }

  private S3ProxyFixture(BlobStoreContext context, UnaryOperator<BlobStore> decorate)
      throws Exception {
    this.context = context;
    this.store = decorate.apply(context.getBlobStore());
    this.proxy = listen(store, 0);
    this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  private static S3Proxy listen(BlobStore store, int port) throws Exception {
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            // The SDK's multipart client sends headers S3Proxy does not know.
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.sleep(10);
    }
    return proxy;
  }

  /** Stops listening, as an S3 outage would; {@link #restart()} undoes it. */
  public void stop() throws Exception {
    proxy.stop();
  }

  /** Listens again on the same port, with the stored objects kept. */
  public void restart() throws Exception {
    proxy = listen(store, endpoint.getPort());
  }

  /** A server that keeps objects in memory. */
  public static S3ProxyFixture inMemory() throws Exception {
    return new S3ProxyFixture(ContextBuilder.newBuilder("transient").build(BlobStoreContext.class));
  }

  /**
   * An in-memory server whose store is wrapped by {@code decorate} (a jclouds {@code
   * ForwardingBlobStore}): S3Proxy's own request handling, over a store that fails where a test
   * needs it to, so the client sees exactly what this server sends when its storage fails.
   */
  public static S3ProxyFixture inMemory(UnaryOperator<BlobStore> decorate) throws Exception {
    return new S3ProxyFixture(
        ContextBuilder.newBuilder("transient").build(BlobStoreContext.class), decorate);
  }

  /** A server that keeps objects as files under {@code dir} (jclouds' filesystem store). */
  public static S3ProxyFixture onDisk(Path dir) throws Exception {
    return onDisk("filesystem", dir);
  }

  /**
   * A server that keeps objects as files under {@code dir}, with the given store: {@code
   * filesystem} (jclouds) or {@code filesystem-nio2} (S3Proxy's own). Both keep a directory marker
   * as a real directory, and answer requests about it differently from each other and from AWS.
   */
  public static S3ProxyFixture onDisk(String provider, Path dir) throws Exception {
    Files.createDirectories(dir);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
    return new S3ProxyFixture(
        ContextBuilder.newBuilder(provider)
            // The nio2 stores insist on credentials, which a local store never checks.
            .credentials("local", "local")
            .overrides(properties)
            .build(BlobStoreContext.class));
  }

  public URI endpoint() {
    return endpoint;
  }

  public BlobStore blobStore() {
    return context.getBlobStore();
  }

  /** Creates {@code bucket} (if needed) and returns settings that reach it under {@code prefix}. */
  public S3Settings bucket(String bucket, String prefix) {
    context.getBlobStore().createContainerInLocation(null, bucket);
    return S3Settings.of(endpoint, REGION, ACCESS_KEY, SECRET_KEY, bucket, prefix);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
