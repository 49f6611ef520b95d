package dev.dropzone.store.transfer;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Holds UploadPart requests at the client until opened, so a test sees an upload with its parts
 * stuck in flight (a slow network) without depending on timing. Open unless {@link #close()}d.
 */
final class PartGate implements ExecutionInterceptor {

  private volatile CountDownLatch open = new CountDownLatch(0);
  private final AtomicInteger held = new AtomicInteger();

  void close() {
    open = new CountDownLatch(1);
  }

  void open() {
    open.countDown();
  }

  /** Part uploads currently held at the gate. */
  int held() {
    return held.get();
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    if (!(context.request() instanceof UploadPartRequest)) {
      return;
    }
    held.incrementAndGet();
    try {
      if (!open.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("part gate was never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      held.decrementAndGet();
    }
  }
}
