package dev.dropzone.bench.child;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.handler.HandlerWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the S3 server's requests by S3 operation, in front of S3Proxy's own handler, so the bench
 * can say how many requests of which kind each case cost, as S3 would bill them.
 */
final class S3RequestCount extends HandlerWrapper {

  private static final Logger LOG = LoggerFactory.getLogger(S3RequestCount.class);

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public void handle(
      String target, Request base, HttpServletRequest request, HttpServletResponse response)
      throws IOException, ServletException {
    String operation = operation(request);
    counts.computeIfAbsent(operation, k -> new LongAdder()).increment();
    super.handle(target, base, request, response);
    if (response.getStatus() >= 500) {
      // The server's own failures, so that a run's report can tell them from the gateway's.
      Runtime heap = Runtime.getRuntime();
      LOG.warn(
          "{} {} answered {} (heap {} of {} MiB used)",
          operation,
          request.getRequestURI(),
          response.getStatus(),
          (heap.totalMemory() - heap.freeMemory()) >> 20,
          heap.maxMemory() >> 20);
    }
  }

  /** {@code Name=count} pairs, sorted by name, of every operation seen since the start. */
  String snapshot() {
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach((name, count) -> sorted.put(name, count.sum()));
    StringBuilder out = new StringBuilder("COUNTS");
    sorted.forEach((name, count) -> out.append(' ').append(name).append('=').append(count));
    return out.toString();
  }

  /** The S3 operation a path-style request asks for, from its method, path and query. */
  static String operation(HttpServletRequest request) {
    String method = request.getMethod();
    String path = request.getRequestURI();
    // "/bucket" or "/bucket/": a bucket-level request; anything longer names an object.
    boolean object = path.indexOf('/', 1) > 0 && path.indexOf('/', 1) < path.length() - 1;
    // From the raw query: getParameter would read a form-encoded body to find parameters.
    Set<String> query = queryNames(request.getQueryString());
    boolean upload = query.contains("uploadId");
    return switch (method) {
      case "PUT" -> {
        if (upload) {
          yield request.getHeader("x-amz-copy-source") != null ? "UploadPartCopy" : "UploadPart";
        }
        if (!object) {
          yield "CreateBucket";
        }
        yield request.getHeader("x-amz-copy-source") != null ? "CopyObject" : "PutObject";
      }
      case "POST" -> {
        if (query.contains("uploads")) {
          yield "CreateMultipartUpload";
        }
        if (upload) {
          yield "CompleteMultipartUpload";
        }
        yield query.contains("delete") ? "DeleteObjects" : "POST";
      }
      case "GET" -> {
        if (object) {
          yield upload ? "ListParts" : "GetObject";
        }
        if (query.contains("uploads")) {
          yield "ListMultipartUploads";
        }
        yield query.contains("list-type=2") ? "ListObjectsV2" : "ListObjects";
      }
      case "HEAD" -> object ? "HeadObject" : "HeadBucket";
      case "DELETE" -> {
        if (upload) {
          yield "AbortMultipartUpload";
        }
        yield object ? "DeleteObject" : "DeleteBucket";
      }
      default -> method;
    };
  }

  /**
   * Parameter names of a query string, and {@code list-type=<value>} as one name with its value.
   */
  private static Set<String> queryNames(String query) {
    Set<String> names = new HashSet<>();
    if (query == null) {
      return names;
    }
    for (String pair : query.split("&")) {
      names.add(pair.startsWith("list-type=") ? pair : pair.split("=", 2)[0]);
    }
    return names;
  }
}
