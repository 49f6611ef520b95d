package dev.dropzone.gateway.embedded;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The S3-compatible server of embedded mode, objects kept as files under a directory. It runs
 * S3Proxy (with Jetty, jclouds and their dependencies), which lives in its own jar and class loader
 * (see {@link EmbeddedS3Jar}) so that none of it is part of what {@code serve} runs; this class is
 * the gateway's whole view of it.
 */
public final class EmbeddedS3 implements AutoCloseable {

  private final AutoCloseable server;
  private final URI endpoint;

  private EmbeddedS3(AutoCloseable server, URI endpoint) {
    this.server = server;
    this.endpoint = endpoint;
  }

  /**
   * Starts the server on {@code 127.0.0.1:port} (0 = a free port) with {@code bucket} created if
   * absent.
   *
   * @throws IOException when the server's jar is missing or the server does not start
   */
  public static EmbeddedS3 start(Path baseDir, int port, String bucket, EmbeddedCredentials creds)
      throws IOException {
    Class<?> type = EmbeddedS3Jar.serverClass();
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // jclouds finds its providers through the context class loader, and the server's threads
    // inherit it: both must see the server's jar.
    thread.setContextClassLoader(type.getClassLoader());
    try {
      MethodHandle start =
          MethodHandles.publicLookup()
              .findStatic(
                  type,
                  "start",
                  MethodType.methodType(
                      type, Path.class, int.class, String.class, String.class, String.class));
      Object server = start.invoke(baseDir, port, bucket, creds.accessKey(), creds.secretKey());
      @SuppressWarnings("unchecked")
      URI endpoint = ((Supplier<URI>) server).get();
      return new EmbeddedS3((AutoCloseable) server, endpoint);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("cannot start the embedded S3 server: " + e, e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (Exception e) {
      LoggerFactory.getLogger(EmbeddedS3.class)
          .warn("Embedded S3 server did not stop cleanly: {}", e.toString());
    }
  }
}
