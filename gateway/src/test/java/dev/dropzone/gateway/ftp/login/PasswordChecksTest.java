package dev.dropzone.gateway.ftp.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PasswordChecksTest {

  private static final long MIB = 1L << 20;

  /** Records when it runs, and holds its thread until released. */
  private static final class Probe implements PasswordChecks.Attempt {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger running;
    final AtomicInteger mostAtOnce;
    volatile boolean ran;
    volatile Duration expired;

    Probe(AtomicInteger running, AtomicInteger mostAtOnce) {
      this.running = running;
      this.mostAtOnce = mostAtOnce;
    }

    @Override
    public void run(Runnable done) {
      ran = true;
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      running.decrementAndGet();
      done.run();
    }

    @Override
    public void expired(Duration waited) {
      expired = waited;
    }
  }

  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();

  private Probe probe() {
    return new Probe(running, mostAtOnce);
  }

  @Test
  void theDefaultFitsTheHeapAndTheProcessors() {
    assertThat(PasswordChecks.defaultConcurrency(192 * MIB, 2)).isEqualTo(1);
    assertThat(PasswordChecks.defaultConcurrency(384 * MIB, 2)).isEqualTo(2);
    assertThat(PasswordChecks.defaultConcurrency(1024 * MIB, 2)).isEqualTo(4);
    assertThat(PasswordChecks.defaultConcurrency(64 * 1024 * MIB, 8)).isEqualTo(16);
    assertThat(PasswordChecks.defaultConcurrency(16 * MIB, 8)).isEqualTo(1);
  }

  @Test
  void noMoreThanTheCapRunAtOnce() throws Exception {
    try (PasswordChecks checks = new PasswordChecks(3, Duration.ofMinutes(1))) {
      List<Probe> probes = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 12; i++) {
        Probe probe = probe();
        probes.add(probe);
        checks.submit(address(i), probe);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 3);
      for (Probe probe : probes) {
        probe.release.countDown();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> probes.stream().allMatch(p -> p.ran));
      assertThat(mostAtOnce.get()).isEqualTo(3);
    }
  }

  @Test
  void oneAddressHasOneAttemptInProgressUntilItsDoneIsCalled() throws Exception {
    try (PasswordChecks checks = new PasswordChecks(4, Duration.ofMinutes(1))) {
      Probe first = probe();
      Probe second = probe();
      Probe other = probe();
      checks.submit(address(1), first);
      checks.submit(address(1), second);
      checks.submit(address(2), other);
      await().atMost(Duration.ofSeconds(10)).until(() -> first.ran && other.ran);
      assertThat(second.ran).as("waits behind the first attempt of its address").isFalse();

      first.release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> second.ran);
      second.release.countDown();
      other.release.countDown();
    }
  }

  @Test
  void anAttemptThatWaitedLongerThanTheQueueTimeoutIsGivenUpUnchecked() throws Exception {
    try (PasswordChecks checks = new PasswordChecks(1, Duration.ofMillis(200))) {
      Probe holder = probe();
      Probe late = probe();
      checks.submit(address(1), holder);
      await().atMost(Duration.ofSeconds(10)).until(() -> holder.ran);
      checks.submit(address(2), late);
      Thread.sleep(400);
      holder.release.countDown();

      await().atMost(Duration.ofSeconds(10)).until(() -> late.expired != null);
      assertThat(late.ran).isFalse();
      assertThat(late.expired).isGreaterThan(Duration.ofMillis(200));

      Probe next = probe();
      next.release.countDown();
      checks.submit(address(2), next);
      await().atMost(Duration.ofSeconds(10)).until(() -> next.ran);
    }
  }

  private static InetAddress address(int n) {
    try {
      return InetAddress.getByAddress(new byte[] {10, 1, 0, (byte) n});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
