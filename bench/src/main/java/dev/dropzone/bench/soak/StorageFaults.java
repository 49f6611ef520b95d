package dev.dropzone.bench.soak;

import dev.dropzone.store.testing.FaultyTcpProxy;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pauses and resumes the S3 server (through the proxy between gateway and S3) at random times until
 * the end time; every third pause ends by resetting every open S3 connection, as a restarted server
 * would.
 */
final class StorageFaults implements Runnable {

  private final FaultyTcpProxy proxy;
  private final SoakSettings settings;
  private final long endNanos;
  private final SplittableRandom random;
  private final AtomicLong pauses = new AtomicLong();
  private final AtomicLong cuts = new AtomicLong();
  private final AtomicLong pausedMillis = new AtomicLong();

  StorageFaults(FaultyTcpProxy proxy, SoakSettings settings, long endNanos) {
    this.proxy = proxy;
    this.settings = settings;
    this.endNanos = endNanos;
    this.random = new SplittableRandom(settings.seed() + 99);
  }

  @Override
  public void run() {
    try {
      long every = settings.pauseEvery().toMillis();
      long longest = settings.longestPause().toMillis();
      while (true) {
        Thread.sleep(random.nextLong(every / 2, every * 3 / 2 + 1));
        long pause = random.nextLong(Math.max(1, longest / 5), longest + 1);
        if (System.nanoTime() + Duration.ofMillis(pause).toNanos() > endNanos) {
          return;
        }
        proxy.pause();
        pauses.incrementAndGet();
        try {
          Thread.sleep(pause);
        } finally {
          pausedMillis.addAndGet(pause);
          if (pauses.get() % 3 == 0) {
            proxy.cut();
            cuts.incrementAndGet();
          }
          proxy.resume();
        }
      }
    } catch (InterruptedException e) {
      proxy.resume();
    }
  }

  String summary() {
    return String.format(
        "%d pauses of S3 (%.0f s in all, up to %d s each), %d of them ended by resetting every S3"
            + " connection",
        pauses.get(), pausedMillis.get() / 1000.0, settings.longestPause().toSeconds(), cuts.get());
  }
}
