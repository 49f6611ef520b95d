package dev.dropzone.gateway.users;

import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The users-file source as production builds it (Argon2id hashes, remembered successes), except
 * that each password check first waits at a gate a test closes and opens: while it is closed, every
 * login that needs a check holds a check thread, and a login answered without one shows.
 */
public final class GatedFileAuthenticator {

  private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicInteger checks = new AtomicInteger();
  private final FileAuthenticator authenticator;

  /**
   * A source over a new users file at {@code file} holding {@code names}, all with {@code
   * password}.
   */
  public GatedFileAuthenticator(Path file, String password, String... names) throws IOException {
    UsersFile users = new UsersFile(file);
    String hash = PasswordHashes.hash(password.toCharArray());
    users.write(Arrays.stream(names).map(name -> UserEntry.of(name, hash)).toList());
    this.authenticator =
        new FileAuthenticator(users, Duration.ofMinutes(5), this::check, Ticker.systemTicker());
  }

  public FileAuthenticator authenticator() {
    return authenticator;
  }

  /** From now on, password checks wait until {@link #open()}. */
  public void close() {
    gate.set(new CountDownLatch(1));
  }

  public void open() {
    gate.get().countDown();
  }

  /** Password checks waiting at the closed gate. */
  public int waiting() {
    return waiting.get();
  }

  /**
   * Password checks begun since this source was made, whether still waiting, done or given up: a
   * login answered without a check leaves it unchanged.
   */
  public int checks() {
    return checks.get();
  }

  private boolean check(char[] password, String hash) {
    checks.incrementAndGet();
    waiting.incrementAndGet();
    try {
      if (!gate.get().await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never opened the gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      waiting.decrementAndGet();
    }
    return PasswordHashes.matches(password, hash);
  }
}
