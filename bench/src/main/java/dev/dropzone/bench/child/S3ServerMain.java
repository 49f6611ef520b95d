package dev.dropzone.bench.child;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.slf4j.LoggerFactory;

/**
 * The S3 server of a benchmark run, in its own JVM so that its CPU and memory are not counted as
 * the gateway's. Objects live on its heap (the harness deletes each case's objects after it).
 *
 * <p>Arguments: bucket. Prints {@code PORT <n>} once serving, answers {@code counts} with the
 * requests served so far by S3 operation ({@code COUNTS PutObject=3 ...}), and stops when its
 * standard input closes.
 */
public final class S3ServerMain {

  public static final String ACCESS_KEY = "bench-access";
  public static final String SECRET_KEY = "bench-secret";
  public static final String REGION = "us-east-1";

  private S3ServerMain() {}

  /**
   * Puts a request counter in front of S3Proxy's handler. S3Proxy offers no hook for one, so the
   * counter is inserted into its (shaded) Jetty server before the start.
   */
  private static S3RequestCount countRequests(S3Proxy proxy) throws ReflectiveOperationException {
    Field field = S3Proxy.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    S3RequestCount counter = new S3RequestCount();
    counter.setHandler(server.getHandler());
    server.setHandler(counter);
    return counter;
  }

  public static void main(String[] args) throws Exception {
    // S3Proxy completes multipart uploads on threads of its own; one that dies (out of memory)
    // makes it answer a success without an ETag, and would otherwise leave no trace.
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, e) -> LoggerFactory.getLogger(S3ServerMain.class).error("{} died", thread, e));
    // In memory: S3Proxy's filesystem backends store a directory marker ("dir/") as a
    // directory that ListObjectsV2 does not return, so MKD followed by STOR into it fails there.
    BlobStoreContext context = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
    context.getBlobStore().createContainerInLocation(null, args[0]);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            // The AWS SDK sends headers S3Proxy does not know (x-amz-mp-object-size).
            .ignoreUnknownHeaders(true)
            .build();
    S3RequestCount counter = countRequests(proxy);
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      // S3Proxy offers no start callback; Jetty reaches STARTED within a second.
      Thread.onSpinWait();
    }
    System.out.println("PORT " + proxy.getPort());
    System.out.flush();
    ControlLines.awaitEnd(
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
        line -> line.equals("counts") ? counter.snapshot() : "ERROR unknown command " + line);
    proxy.stop();
    context.close();
  }
}
