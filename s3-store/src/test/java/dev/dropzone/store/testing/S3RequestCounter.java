package dev.dropzone.store.testing;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts the requests a real S3 client sends, per operation (PutObject, HeadObject, ...), from
 * inside its pipeline: add it to the client a store uses, run an operation, compare {@link
 * #counts()} with what the operation should cost.
 */
public final class S3RequestCounter implements ExecutionInterceptor {

  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    counts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
  }

  /** The requests since the last reset, per operation, in name order. */
  public Map<String, Integer> counts() {
    Map<String, Integer> copy = new TreeMap<>();
    counts.forEach((operation, n) -> copy.put(operation, n.get()));
    return copy;
  }

  public void reset() {
    counts.clear();
  }
}
